"""The union tree over time.

A unit's place in the tree is a series of ``UnitLink`` rows, each valid from one date until the next
change (``valid_to`` is exclusive, empty while it holds). Each link carries the materialised path the
unit had during that interval, so the tree as it stood on any date is one indexed range query.

``Unit.path`` is the *scope path*: today's tree, in which an active unit sits under its parent and an
ended unit sits under its successor (or, without one, under its last parent). Every permission check
and every "regroup under today's tree" reads it, so old units follow their successors wherever those go.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congdoan.audit.models import ChangeLogged
from congdoan.core.text import fold, normalize

# Each unit contributes its primary key, zero-padded to this width, to the paths below it.
PATH_STEP = 9


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_STEP}d}"


def path_units(path: str) -> list[int]:
    """The units a path runs through, from the root down."""
    return [int(path[i : i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]


def path_prefixes(path: str) -> list[str]:
    """The paths of the units a path runs through, from the root down: its ancestors', then its own."""
    return [path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)]


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province level")
    UPPER = "upper", _("Upper level (directly above grassroots)")
    GRASSROOTS = "grassroots", _("Grassroots")
    SUBUNIT = "subunit", _("Sub-unit")


LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}


class Sector(models.TextChoices):
    """Sector and ownership group of a grassroots union: drives dues rules and statistics."""

    PUBLIC_FULL = "hcsn_full", _("Public body fully funded by the state budget")
    PUBLIC_PART = "hcsn_part", _("Public body partly self-funded")
    STATE_ENTERPRISE = "soe", _("State-owned enterprise")
    PRIVATE_ENTERPRISE = "private", _("Non-state enterprise")
    FDI = "fdi", _("Foreign-invested enterprise")
    COOPERATIVE = "coop", _("Cooperative")
    GUILD = "guild", _("Trade guild (nghiệp đoàn)")
    FOREIGN_ORG = "foreign_org", _("Foreign or international organisation")


class UnitType(ChangeLogged):
    """A configurable kind of unit (LĐLĐ tỉnh, CĐ xã/phường, CĐCS, …), each at one level."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    description = models.TextField(_("description"), blank=True)

    scope_path_field = None  # the types are shared by everyone

    class Meta:
        verbose_name = _("unit type")
        verbose_name_plural = _("unit types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_unit_id(self) -> None:
        return None


class Area(models.Model):
    """An administrative area (province, district, commune/ward), kept after it is abolished."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune / ward")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("A code may hold only letters without diacritics, digits, dots, dashes and underscores."),
)


class UnitQuerySet(models.QuerySet):
    def active_on(self, on: datetime.date):
        return self.filter(founded_on__lte=on).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))

    def active(self):
        return self.active_on(timezone.localdate())

    def search(self, query: str):
        """Words in any order, with or without diacritics, in the code, name or short name."""
        qs = self
        for word in fold(query).split():
            qs = qs.filter(search_text__contains=word)
        return qs


class Unit(ChangeLogged):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    unit_type = models.ForeignKey(UnitType, verbose_name=_("unit type"), on_delete=models.PROTECT)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT)
    founded_on = models.DateField(_("founded on"))
    dissolved_on = models.DateField(_("ended on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    note = models.TextField(_("note"), blank=True)

    # Today's tree (see the module docstring); maintained by the services only.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    search_text = models.TextField(editable=False, default="")

    objects = UnitQuerySet.as_manager()

    scope_path_field = "path"
    audit_exclude = ("search_text", "path", "depth")  # derived from the links

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "dissolved_on"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.short_name = normalize(self.short_name)
        self.search_text = fold(f"{self.code} {self.name} {self.short_name}")
        super().save(*args, **kwargs)

    @property
    def audit_unit_id(self) -> int | None:
        return self.pk

    @property
    def level(self) -> str:
        return self.unit_type.level

    def is_active_on(self, on: datetime.date) -> bool:
        return self.founded_on <= on and (self.dissolved_on is None or on < self.dissolved_on)

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("units:detail", kwargs={"code": self.code})


class Employer(ChangeLogged):
    """An employer whose workers a grassroots union covers; one CĐCS may cover several."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("grassroots union"), on_delete=models.CASCADE, related_name="employers"
    )
    name = models.CharField(_("name"), max_length=255)
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT)
    workforce = models.PositiveIntegerField(_("workforce"), default=0)
    female_workforce = models.PositiveIntegerField(_("female workforce"), default=0)
    workforce_on = models.DateField(_("workforce counted on"), null=True, blank=True)

    # The latest dated figure once the employer has any (``services.record_workforce`` sets them): the
    # employer's form and API leave them alone then, so the history stays whole.
    WORKFORCE_FIELDS = ("workforce", "female_workforce", "workforce_on")

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        _check_female_within(self.workforce, self.female_workforce)

    @property
    def has_dated_workforce(self) -> bool:
        """Whether its workforce is kept as dated figures: its own workforce fields then follow the latest,
        and are not typed."""
        return self.pk is not None and self.workforce_figures.exists()


class EmployerWorkforce(ChangeLogged):
    """An employer's workforce as counted on a day: its history, which past periods read.

    The employer's own ``workforce`` fields hold the latest of these (``services.record_workforce`` keeps
    them in step); an employer with no figure recorded has only those. ``workforce_standing_on`` gives the
    figure a day reads."""

    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="workforce_figures"
    )
    on = models.DateField(_("counted on"))
    workforce = models.PositiveIntegerField(_("workforce"))
    female_workforce = models.PositiveIntegerField(_("female workforce"), default=0)

    scope_path_field = "employer__unit__path"

    class Meta:
        verbose_name = _("workforce figure")
        verbose_name_plural = _("workforce figures")
        ordering = ["employer", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "on"], name="units_employerworkforce_one_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.employer} ({self.on:%d/%m/%Y}): {self.workforce}"

    @property
    def audit_unit_id(self) -> int | None:
        return self.employer.unit_id

    def clean(self):
        _check_female_within(self.workforce, self.female_workforce)


def _check_female_within(workforce: int | None, female: int | None) -> None:
    """An employer's or a figure's women among its workers (either left out: nothing to compare)."""
    if workforce is not None and female is not None and female > workforce:
        raise ValidationError({"female_workforce": _("Female workforce cannot exceed the workforce.")})


def workforce_standing_on(on: datetime.date, field: str = "workforce") -> Coalesce:
    """An employer's ``field`` ("workforce" or "female_workforce") standing on ``on``, for an annotation:
    the latest figure counted on or before that day, else the employer's own (today's) figure."""
    latest = EmployerWorkforce.objects.filter(employer=models.OuterRef("pk"), on__lte=on).order_by("-on")
    return Coalesce(models.Subquery(latest.values(field)[:1]), models.F(field))


class Decision(ChangeLogged):
    """The decision (quyết định) behind a change to the tree: number, date, signer, optional file."""

    number = models.CharField(_("number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    signer = models.CharField(_("signer"), max_length=200)
    issuer = models.ForeignKey(
        Unit,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_decisions",
    )
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="decisions/%Y/", blank=True)

    scope_path_field = "issuer__path"

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-signed_on", "number"]

    def __str__(self) -> str:
        return f"{self.number} ({self.signed_on:%d/%m/%Y})"

    @property
    def audit_unit_id(self) -> int | None:
        return self.issuer_id


class Reorganisation(ChangeLogged):
    """One change to the tree, as a decision made it: founding, move, merge, split, rename or ending."""

    class Kind(models.TextChoices):
        FOUND = "found", _("Founding")
        MOVE = "move", _("Move")
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")
        RENAME = "rename", _("Rename")
        DISSOLVE = "dissolve", _("Ending")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    effective_on = models.DateField(_("effective on"))
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reorganisations",
    )
    note = models.TextField(_("note"), blank=True)
    # The unit the change is filed under, for scope and the per-unit change log (the target, the source…).
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    units = models.ManyToManyField(Unit, through="ReorganisationUnit", related_name="reorganisations")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("reorganisation")
        verbose_name_plural = _("reorganisations")
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_on:%d/%m/%Y}"


class ReorganisationUnit(models.Model):
    """How a unit took part in a reorganisation."""

    class Role(models.TextChoices):
        # A context of their own: "target" here is the receiving unit, not a programme's target.
        SUBJECT = "subject", pgettext_lazy("role of a unit in a reorganisation", "subject")
        SOURCE = "source", pgettext_lazy("role of a unit in a reorganisation", "source")
        TARGET = "target", pgettext_lazy("role of a unit in a reorganisation", "target")
        CREATED = "created", pgettext_lazy("role of a unit in a reorganisation", "created")
        MOVED = "moved", pgettext_lazy("role of a unit in a reorganisation", "moved")
        ENDED = "ended", pgettext_lazy("role of a unit in a reorganisation", "ended")

    reorganisation = models.ForeignKey(
        Reorganisation, verbose_name=_("reorganisation"), on_delete=models.CASCADE, related_name="involved"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reorganisation_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("unit taking part")
        verbose_name_plural = _("units taking part")
        constraints = [
            models.UniqueConstraint(fields=["reorganisation", "unit", "role"], name="reorg_unit_role")
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"


class UnitLink(ChangeLogged):
    """A unit under a parent from ``valid_from`` until ``valid_to`` (exclusive; empty while it holds)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="links")
    parent = models.ForeignKey(
        Unit,
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="child_links",
    )
    path = models.CharField(_("place code in the tree"), max_length=255, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth in the tree"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    reorganisation = models.ForeignKey(
        Reorganisation,
        verbose_name=_("reorganisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="links",
    )

    class Meta:
        verbose_name = _("place in the tree")
        verbose_name_plural = _("places in the tree")
        ordering = ["unit", "valid_from"]
        indexes = [
            models.Index(fields=["unit", "valid_from"]),
            models.Index(fields=["parent", "valid_from"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="unitlink_interval",
            ),
        ]

    def __str__(self) -> str:
        until = f"{self.valid_to:%d/%m/%Y}" if self.valid_to else "…"
        return f"{self.unit} ⊂ {self.parent or '—'} ({self.valid_from:%d/%m/%Y} – {until})"


class UnitName(ChangeLogged):
    """The name a unit bore from ``valid_from`` until ``valid_to`` (exclusive)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    reorganisation = models.ForeignKey(
        Reorganisation,
        verbose_name=_("reorganisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="names",
    )

    class Meta:
        verbose_name = _("name")
        verbose_name_plural = _("names")
        ordering = ["unit", "valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"])]

    def __str__(self) -> str:
        return self.name


class Succession(ChangeLogged):
    """``successor`` took over from ``predecessor`` (a merge, a split, or an ending that handed over)."""

    predecessor = models.ForeignKey(
        Unit, verbose_name=_("predecessor"), on_delete=models.PROTECT, related_name="successions"
    )
    successor = models.ForeignKey(
        Unit, verbose_name=_("successor"), on_delete=models.PROTECT, related_name="predecessions"
    )
    effective_on = models.DateField(_("effective on"))
    reorganisation = models.ForeignKey(
        Reorganisation, verbose_name=_("reorganisation"), on_delete=models.PROTECT, related_name="successions"
    )
    primary = models.BooleanField(
        _("primary successor"),
        default=True,
        help_text=_("The successor that today's tree files the old unit under."),
    )

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        ordering = ["effective_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor"], condition=Q(primary=True), name="one_primary_successor"
            ),
        ]

    @property
    def audit_unit_id(self) -> int:
        return self.predecessor_id
