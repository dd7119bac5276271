"""Programmes (chương trình, kế hoạch, công văn định hướng, thông báo, nghị quyết, chỉ thị) and their parts.

A programme is a document as it was issued: who issued it (a unit of the tree, or an outside body such as
a Party committee, whose name is kept as written), its number, place, date and signature, the documents it
carries out, the period it covers, its themes, numeric targets (chỉ tiêu), key tasks and solutions with
who is responsible, deadlines for what subordinate units must send, and whom it was sent to.

It is *filed under* a unit of the tree (``unit``), which places it in everyone's scope: usually the issuing
union itself; for an outside body's document, the union it is addressed to.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _

from congdoan.audit.models import ChangeLogged
from congdoan.core.text import normalize
from congdoan.plans import indicators_registry
from congdoan.plans.periods import Period, PeriodKind
from congdoan.units.models import Unit, code_validator


class DocumentKind(models.TextChoices):
    OFFICIAL_LETTER = "official_letter", _("Official letter")  # công văn
    PLAN = "plan", _("Plan")  # kế hoạch
    WORK_PROGRAMME = "work_programme", _("Work programme")  # chương trình công tác
    NOTICE = "notice", _("Notice")  # thông báo
    RESOLUTION = "resolution", _("Resolution")  # nghị quyết
    DIRECTIVE = "directive", _("Directive")  # chỉ thị
    GUIDANCE = "guidance", _("Guidance")  # hướng dẫn
    DECISION = "decision", _("Decision")  # quyết định


CENTS = Decimal("0.01")
MERGE_RULE_KEYS = {"small_below_members", "merged_min_members", "groups_by_similarity"}


def _clean_text_list(values, field: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and normalize(v) for v in values):
        raise ValidationError({field: _("A list of non-empty texts is expected.")})
    return [normalize(v) for v in values]


def _check_merge_rule(rule: dict) -> None:
    """Seed 001's rule: merge grassroots unions under N members, by groups of similar bodies."""
    if not isinstance(rule, dict):
        raise ValidationError({"merge_rule": _("The merge rule is a set of named values.")})
    unknown = sorted(set(rule) - MERGE_RULE_KEYS)
    if unknown:
        raise ValidationError(
            {"merge_rule": _("Unknown entries in the merge rule: %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    for key in ("small_below_members", "merged_min_members"):
        value = rule.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValidationError(
                {"merge_rule": _("%(key)s must be a whole number of members, at least 1.") % {"key": key}}
            )
    _clean_text_list(rule.get("groups_by_similarity", []), "merge_rule")


def _period_field_errors(errors: dict[str, str]) -> dict[str, str]:
    """Period complaints ("kind", "start", "end") keyed by the model's fields."""
    return {f"period_{name}": message for name, message in errors.items()}


class Programme(ChangeLogged):
    ref = models.CharField(
        _("reference"),
        max_length=60,
        unique=True,
        validators=[code_validator],
        help_text=_("A short stable code, e.g. DB-579-CV-2019."),
    )
    kind = models.CharField(_("document kind"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("number/symbol"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    issuer_name = models.CharField(_("issued by"), max_length=255, help_text=_("As written on the document."))
    issuer_unit = models.ForeignKey(
        Unit,
        verbose_name=_("issuing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_programmes",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("filed under"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    issued_on = models.DateField(_("date"))
    signer_title = models.CharField(_("signed as"), max_length=255, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("carries out"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    period_kind = models.CharField(_("period"), max_length=20, choices=PeriodKind.choices)
    period_start = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    period_note = models.CharField(_("period note"), max_length=500, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    qualitative_goals = models.JSONField(_("goals without a number"), default=list, blank=True)
    attachment_note = models.TextField(_("attachments"), blank=True)
    merge_rule = models.JSONField(_("small-union merge rule"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-issued_on", "ref"]

    def __str__(self) -> str:
        return f"{self.number or self.get_kind_display()} – {self.issuer_name}"

    @property
    def period(self) -> Period:
        return Period(self.period_kind, self.period_start, self.period_end)

    def clean(self):
        self.issuer_name = normalize(self.issuer_name)
        self.number = normalize(self.number)
        self.title = normalize(self.title)
        if self.period_kind == PeriodKind.YEAR and self.period_end is None:
            self.period_end = self.period_start
        errors = _period_field_errors(self.period.errors())
        if errors:
            raise ValidationError(errors)
        self.themes = _clean_text_list(self.themes, "themes")
        self.qualitative_goals = _clean_text_list(self.qualitative_goals, "qualitative_goals")
        if self.merge_rule is not None:
            _check_merge_rule(self.merge_rule)
        if self.parent_id is not None and self.pk is not None:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A programme cannot carry out itself.")})
                ancestor = ancestor.parent


class ProgrammePart(ChangeLogged):
    """A numbered part of a programme; it belongs to the programme's unit for scope and the change log."""

    position = models.PositiveIntegerField(_("order"))

    scope_path_field = "programme__unit__path"

    class Meta:
        abstract = True
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="%(app_label)s_%(class)s_position")
        ]

    @property
    def audit_unit_id(self) -> int | None:
        return self.programme.unit_id


class Basis(ProgrammePart):
    """A document the programme carries out (căn cứ), as written; linked when it is in the system."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="bases"
    )
    text = models.CharField(_("document"), max_length=500)
    document = models.ForeignKey(
        Programme,
        verbose_name=_("programme in the system"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cited_by",
    )

    class Meta(ProgrammePart.Meta):
        verbose_name = _("basis")
        verbose_name_plural = _("bases")

    def __str__(self) -> str:
        return self.text

    def clean(self):
        self.text = normalize(self.text)
        if self.document_id is not None and self.document_id == self.programme_id:
            raise ValidationError({"document": _("A programme cannot be its own basis.")})


class TargetKind(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percent")


class Comparator(models.TextChoices):
    AT_LEAST = ">=", _("at least")  # "từ … trở lên", and plain counts
    ABOVE = ">", _("above")  # "trên …%"
    EXACTLY = "=", _("exactly")  # "100%"


class Target(ProgrammePart):
    """A numeric target (chỉ tiêu): a count or a percent, with the comparator that decides "met".

    It follows an indicator of the catalogue by code, or is entered by hand (``manual``, "nhập tay") —
    one or the other, so a target without data shows as such rather than as a silent zero.
    """

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="targets"
    )
    ref = models.CharField(
        _("item"),
        max_length=20,
        blank=True,
        help_text=_("The item of the document, e.g. I.4; several targets may share one."),
    )
    text = models.TextField(_("text"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=10, choices=TargetKind.choices)
    comparator = models.CharField(
        _("comparator"), max_length=2, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    subject = models.CharField(_("what is counted"), max_length=500, blank=True)
    denominator = models.CharField(_("out of"), max_length=500, blank=True)
    filter_text = models.CharField(_("only"), max_length=500, blank=True)
    period_kind = models.CharField(
        _("period"),
        max_length=20,
        choices=PeriodKind.choices,
        blank=True,
        help_text=_("Empty: the programme's period."),
    )
    period_start = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    indicator = models.CharField(_("indicator"), max_length=80, blank=True)
    manual = models.BooleanField(_("entered by hand"), default=False)
    note = models.TextField(_("note"), blank=True)
    allocated_from = models.ForeignKey(
        "self",
        verbose_name=_("share of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions",
        help_text=_("The upper level's target this target carries a share of."),
    )

    class Meta(ProgrammePart.Meta):
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            *ProgrammePart.Meta.constraints,
            models.CheckConstraint(condition=Q(value__gte=0), name="plans_target_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind=TargetKind.PERCENT) | Q(value__lte=100),
                name="plans_target_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=(Q(manual=True) & Q(indicator="")) | (Q(manual=False) & ~Q(indicator="")),
                name="plans_target_indicator_or_manual",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.text}".strip()

    @property
    def own_period(self) -> Period | None:
        return Period(self.period_kind, self.period_start, self.period_end) if self.period_kind else None

    @property
    def period(self) -> Period:
        """The years this target covers: its own period, or else the programme's."""
        programme_period = self.programme.period
        own = self.own_period
        return own.within(programme_period) if own else programme_period

    def clean(self):
        self.text = normalize(self.text)
        self.indicator = self.indicator.strip()
        errors: dict[str, str] = {}
        if self.value is not None:
            if self.value < 0:
                errors["value"] = _("A target cannot be negative.")
            elif self.kind == TargetKind.PERCENT and self.value > 100:
                errors["value"] = _(
                    "A percent target lies between 0 and 100 (progress may exceed 100%, a target may not)."
                )
            elif self.kind == TargetKind.COUNT and self.value != self.value.to_integral_value():
                errors["value"] = _("A count target is a whole number.")
        errors.update(self._period_errors())
        errors.update(self._indicator_errors())
        if errors:
            raise ValidationError(errors)
        if self.value is not None:
            self.value = self.value.quantize(CENTS)  # as stored, so an unchanged import compares equal

    def _period_errors(self) -> dict[str, str]:
        own = self.own_period
        if own is None:
            if self.period_start is not None or self.period_end is not None:
                return {"period_kind": _("Choose the kind of period for these years.")}
            return {}
        if own.kind == PeriodKind.STANDING:
            return {"period_kind": _("A target covers a year, a term or every year, not an open period.")}
        if own.kind == PeriodKind.YEAR and self.period_end is None:
            self.period_end = self.period_start
            own = self.own_period
        own_errors = own.errors()
        if own_errors:
            return _period_field_errors(own_errors)
        if self.programme_id is not None and not self.programme.period.covers(own):
            return {
                "period_kind": _(
                    "The target's period (%(target)s) lies outside the programme's period (%(programme)s)."
                )
                % {"target": own.within(self.programme.period), "programme": self.programme.period}
            }
        return {}

    def _indicator_errors(self) -> dict[str, str]:
        if self.manual and self.indicator:
            return {"indicator": _("A target entered by hand follows no indicator; clear one or the other.")}
        if not self.manual and not self.indicator:
            return {"indicator": _("Choose the indicator the target follows, or mark it as entered by hand.")}
        if self.indicator:
            info = indicators_registry.lookup(self.indicator)
            if info is None:
                return {"indicator": _("There is no indicator %(code)s.") % {"code": self.indicator}}
            if self.kind and info.kind != self.kind:
                return {
                    "indicator": _("The indicator %(name)s gives a %(given)s; this is a %(kind)s target.")
                    % {
                        "name": info.name,
                        "given": TargetKind(info.kind).label.lower(),
                        "kind": TargetKind(self.kind).label.lower(),
                    }
                }
        return {}

    @property
    def indicator_name(self) -> str:
        """The name of the indicator followed, with the thresholds its programme sets (as its definition on
        the progress page reads them); the code if the catalogue has no such indicator."""
        if indicators_registry.lookup(self.indicator) is None:
            return self.indicator
        # Imported when asked: progress reads this module, and the catalogue registers itself at start.
        from congdoan.indicators import catalogue
        from congdoan.plans.progress import indicator_values

        return str(catalogue.get(self.indicator).name_for(indicator_values(self)))

    @property
    def requirement(self) -> str:
        """The target as a person reads it: ≥ 70%, ≥ 5.821, = 100%."""
        sign = {Comparator.AT_LEAST: "≥", Comparator.ABOVE: ">", Comparator.EXACTLY: "="}[self.comparator]
        return f"{sign} {localize(self.whole_value)}{'%' if self.kind == TargetKind.PERCENT else ''}"

    @property
    def whole_value(self) -> int | Decimal:
        """The value as written: 594 rather than 594.00."""
        return int(self.value) if self.value == self.value.to_integral_value() else self.value.normalize()


class TaskKind(models.TextChoices):
    TASK = "task", _("Key task")  # nhiệm vụ trọng tâm
    SOLUTION = "solution", _("Solution")  # giải pháp


class TaskStatus(models.TextChoices):
    PLANNED = "planned", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Task(ProgrammePart):
    """A key task or solution (nhiệm vụ trọng tâm, giải pháp), with deadline, status and evidence."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="tasks"
    )
    ref = models.CharField(_("item"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=TaskKind.choices, default=TaskKind.TASK)
    title = models.TextField(_("task"))
    description = models.TextField(_("as written"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_note = models.CharField(
        _("when"), max_length=255, blank=True, help_text=_("A rhythm without a date, e.g. every quarter.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.PLANNED
    )
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta(ProgrammePart.Meta):
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        self.title = normalize(self.title)


class Responsibility(ProgrammePart):
    """Who does what (tổ chức thực hiện): a department, a body or a unit, for the programme or one task."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="responsibilities"
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    who = models.CharField(_("responsible"), max_length=255)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programme_responsibilities",
    )
    what = models.TextField(_("what"), blank=True)

    class Meta(ProgrammePart.Meta):
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self) -> str:
        return self.who

    def clean(self):
        self.who = normalize(self.who)
        if self.task_id is not None and self.task.programme_id != self.programme_id:
            raise ValidationError({"task": _("The task belongs to another programme.")})


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SOFTWARE = "software", _("In this system")
    PAPER = "paper", _("On paper")
    OTHER = "other", _("Other")


class SubmissionDeadline(ProgrammePart):
    """What subordinate units must send, to whom, before which date, and how (seed 000: before 10/11/2019)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="deadlines"
    )
    what = models.TextField(_("what"))
    submitters = models.TextField(_("from"))
    receiver = models.CharField(_("to"), max_length=255)
    due_before = models.DateField(_("before"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.OTHER)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta(ProgrammePart.Meta):
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return self.what


class Recipient(ProgrammePart):
    """Whom the document was sent to (Kính gửi, Nơi nhận), in order; linked when it is a unit of the tree."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="recipients"
    )
    text = models.CharField(_("recipient"), max_length=500)
    purpose = models.CharField(
        _("for"), max_length=60, blank=True, help_text=_("As written, e.g. để b/c, để th/h.")
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes_received",
    )

    class Meta(ProgrammePart.Meta):
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return self.text

    def clean(self):
        self.text = normalize(self.text)


# ------------------------------------------------------------------------------ allocation down the tree


class AllocationMethod(models.TextChoices):
    MANUAL = "manual", _("By hand")
    MEMBERS = "members", _("In proportion to members")
    WORKFORCE = "workforce", _("In proportion to workforce")
    LAST_YEAR = "last_year", _("In proportion to last year's result")
    SAME_PERCENT = "same_percent", _("The same percent for every unit")


class Allocation(ChangeLogged):
    """One revision of how a target is split among the units directly under its programme's unit.

    Revisions are never changed: a new split is a new revision, and the latest one is in force. ``total``
    is the target's value when the split was made, so a later change of the target shows as a difference.
    ``units_on`` is the day whose units it is split among (``allocation.reference_day`` when it was made),
    kept so that a later change of the target's period or of the rule does not change what it meant.
    """

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="allocations")
    revision = models.PositiveIntegerField(_("revision"))
    method = models.CharField(_("method"), max_length=20, choices=AllocationMethod.choices)
    base_on = models.DateField(
        _("base counted on"),
        null=True,
        blank=True,
        help_text=_("Members: that day; last year's result: its end."),
    )
    units_on = models.DateField(
        _("units as they stood on"),
        help_text=_(
            "The day of the tree whose units directly under the programme's unit the split is among."
        ),
    )
    total = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("allocated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("allocated at"), auto_now_add=True)

    scope_path_field = "target__programme__unit__path"

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["target", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["target", "revision"], name="plans_allocation_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.target} ({self.revision})"

    @property
    def made_by(self) -> str:
        """Who made the split, as a page names them ("—" for a command's split or a removed account)."""
        user = self.created_by
        return (user.get_full_name() or user.username) if user is not None else "—"

    @property
    def audit_unit_id(self) -> int | None:
        return self.target.programme.unit_id


class AllocationShare(ChangeLogged):
    """A unit's part of one allocation revision, with the base it was worked out from."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="shares")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="shares")
    base = models.DecimalField(_("base"), max_digits=14, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(_("share"), max_digits=14, decimal_places=2)

    scope_path_field = "unit__path"  # the unit it is allocated to sees it, to adopt it

    class Meta:
        verbose_name = _("allocated share")
        verbose_name_plural = _("allocated shares")
        ordering = ["allocation", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "unit"], name="plans_share_unit"),
            models.CheckConstraint(condition=Q(value__gte=0), name="plans_share_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {localize(self.value)}"


# ---------------------------------------------------------------------------- figures entered by hand


class ReportedValue(ChangeLogged):
    """A unit's own figure for a target entered by hand ("nhập tay"), as it stood on a date.

    A count is ``numerator`` alone; a percent target takes a numerator and a denominator (412 of 420
    workers informed). Figures belong to the target that defines the measure (the top of a chain of
    adopted shares), so the same figure counts for the upper target and the unit's own adopted one.
    """

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reported_values")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reported_values"
    )
    stands_on = models.DateField(_("figure as of"))
    numerator = models.DecimalField(_("figure"), max_digits=14, decimal_places=2)
    denominator = models.DecimalField(
        _("denominator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("entered figure")
        verbose_name_plural = _("entered figures")
        ordering = ["target", "unit", "-stands_on"]
        constraints = [
            models.UniqueConstraint(fields=["target", "unit", "stands_on"], name="plans_reported_once_a_day"),
            models.CheckConstraint(condition=Q(numerator__gte=0), name="plans_reported_not_negative"),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True)
                | (Q(denominator__gt=0) & Q(numerator__lte=models.F("denominator"))),
                name="plans_reported_ratio",
            ),
        ]
        indexes = [models.Index(fields=["target", "stands_on"])]

    def __str__(self) -> str:
        figure = localize(self.numerator.normalize())
        if self.denominator is not None:
            figure = f"{figure}/{localize(self.denominator.normalize())}"
        return f"{self.unit}: {figure} ({self.stands_on:%d/%m/%Y})"
