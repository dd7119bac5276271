"""Members and their dated, append-only lifecycle.

``MemberEvent`` rows are the truth (kết nạp, chuyển đi/đến, tạm dừng, tiếp tục, thôi, khai trừ, nghỉ hưu,
mất, kết thúc do giải thể). From them the services derive ``Membership`` intervals (member, CĐCS,
state, [valid_from, valid_to)), so "who belonged to which unit on a date" is one indexed query, like the
tree's ``UnitLink``. ``Member.unit`` and ``Member.status`` mirror the latest interval for fast lists.
"""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdoan.audit.models import ChangeLogged
from congdoan.core.text import fold, normalize, person_collation_key
from congdoan.members.identity import ETHNIC_CHOICES, VIETNAM


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    LEFT = "left", _("Left the union")
    EXPELLED = "expelled", _("Expelled")
    RETIRED = "retired", _("Retired")
    DECEASED = "deceased", _("Deceased")
    ENDED_BY_DISSOLUTION = "ended_by_dissolution", _("Ended: grassroots union dissolved")
    MERGED = "merged", _("Merged into another record")  # a duplicate record; see Member.merged_into


# The states in which a person counts as a member of the unit they stand in.
MEMBER_STATES = (Status.ACTIVE, Status.SUSPENDED)
# The states from which a person can come back into the union (a death or a merge is final).
RETURNABLE_STATES = (
    Status.TRANSFERRED_OUT,
    Status.LEFT,
    Status.EXPELLED,
    Status.RETIRED,
    Status.ENDED_BY_DISSOLUTION,
)


class EducationLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary school")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary school")


class ProfessionalLevel(models.TextChoices):
    NONE = "none", _("No vocational training")
    ELEMENTARY = "elementary", _("Elementary vocational")
    INTERMEDIATE = "intermediate", _("Intermediate")
    COLLEGE = "college", _("College")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTOR = "doctor", _("Doctor")


class PoliticalTheory(models.TextChoices):
    ELEMENTARY = "elementary", _("Elementary")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    BACHELOR = "bachelor", _("Bachelor of political science")


class UnionPosition(models.TextChoices):
    MEMBER = "member", _("Member")
    GROUP_LEADER = "group_leader", _("Union group leader")
    COMMITTEE = "committee", _("Executive committee member")
    VICE_CHAIR = "vice_chair", _("Vice chair")
    CHAIR = "chair", _("Chair")


class CardType(models.TextChoices):
    REGULAR = "regular", _("Regular")
    LINKED = "linked", _("Linked (co-branded)")


SORT_KEY_LENGTH = 400


def member_sort_key(full_name: str) -> str:
    """A member's stored sort key: Vietnamese order of people, cut to its column. A letter takes 5 characters
    of the key and a word 4 more, and the cases come last, so only names alike in their first 70 letters or
    so lose a tie-break (case first, then the family name's last letters)."""
    return person_collation_key(full_name)[:SORT_KEY_LENGTH]


class Member(ChangeLogged):
    code = models.CharField(_("member code"), max_length=20, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=120)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    ethnic_group = models.CharField(_("ethnic group"), max_length=2, choices=ETHNIC_CHOICES, blank=True)
    religion = models.CharField(_("religion"), max_length=60, blank=True)
    nationality = models.CharField(_("nationality"), max_length=60, default=VIETNAM)
    # Foreign workers join with a labour contract of 12 months or more (``services.check_person``).
    contract_months = models.PositiveSmallIntegerField(
        _("labour contract (months)"),
        null=True,
        blank=True,
        help_text=_("For a foreign worker: the term of the labour contract, in months."),
    )
    id_number = models.CharField(_("ID number"), max_length=12, null=True, blank=True, unique=True)
    # A foreign worker's identity document (they have no CCCD/CMND); refused for a Vietnamese member.
    passport_number = models.CharField(
        _("passport number"),
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        help_text=_("For a foreign worker: the passport number (letters and digits)."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    education_level = models.CharField(
        _("general education"), max_length=20, choices=EducationLevel.choices, blank=True
    )
    professional_level = models.CharField(
        _("professional level"), max_length=20, choices=ProfessionalLevel.choices, blank=True
    )
    political_theory = models.CharField(
        _("political theory"), max_length=20, choices=PoliticalTheory.choices, blank=True
    )
    party_member = models.BooleanField(_("Party member"), default=False)
    party_joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    union_position = models.CharField(
        _("union position"), max_length=20, choices=UnionPosition.choices, default=UnionPosition.MEMBER
    )
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    employer = models.ForeignKey(
        "units.Employer",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    joined_on = models.DateField(_("joined the union on"))
    card_type = models.CharField(_("card type"), max_length=10, choices=CardType.choices, blank=True)
    card_issued_on = models.DateField(_("card issued on"), null=True, blank=True)

    # Mirrors of the latest membership interval, kept by the services.
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("grassroots union"),
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,  # the (unit, status) index serves reads by unit: one index less to write a member
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.ACTIVE)
    # A duplicate record merged into another (``services.merge_members``): its events now belong there.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )

    search_name = models.CharField(max_length=120, db_index=True, editable=False)
    sort_key = models.CharField(max_length=SORT_KEY_LENGTH, db_index=True, editable=False)

    scope_path_field = "unit__path"
    audit_exclude = ("search_name", "sort_key")
    audit_personal_fields = ("id_number", "passport_number", "phone", "email", "birth_date")

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["sort_key", "id"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["search_name", "birth_year"]),
            # Every field of the duplicate rules (``selectors.DUPLICATE_RULES``) under the unit, and the
            # id (which SQLite's indexes hold anyway, PostgreSQL's not): a unit's look-alikes are grouped
            # from this index alone, without reading member rows.
            models.Index(
                fields=["unit", "search_name", "birth_year", "birth_date", "phone", "email", "status", "id"],
                name="member_duplicate_keys",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        super().save(*args, **kwargs)

    def set_derived_fields(self) -> None:
        """The stored forms derived from the name and birth date (bulk writes, skipping save, call it too),
        and the free text in NFC, as an import stores it (NFD from some keyboards would differ from it)."""
        self.full_name = normalize(self.full_name)
        self.religion, self.nationality, self.occupation = (
            normalize(self.religion),
            normalize(self.nationality),
            normalize(self.occupation),
        )
        self.search_name = fold(self.full_name)
        self.sort_key = member_sort_key(self.full_name)
        if self.birth_date:
            self.birth_year = self.birth_date.year

    def clean(self):
        errors = {}
        if self.birth_date and self.birth_year and self.birth_date.year != self.birth_year:
            errors["birth_year"] = _("The year of birth differs from the date of birth.")
        if self.party_joined_on and not self.party_member:
            errors["party_joined_on"] = _("Only a Party member has a date of joining the Party.")
        if errors:
            raise ValidationError(errors)


class EventKind(models.TextChoices):
    ADMIT = "admit", _("Admitted")
    REGISTER = "register", _("Registered from an earlier list")
    TRANSFER_IN = "transfer_in", _("Transferred in")
    TRANSFER_OUT = "transfer_out", _("Transferred out")
    SUSPEND = "suspend", _("Suspended")
    RESUME = "resume", _("Resumed")
    LEAVE = "leave", _("Left")
    EXPEL = "expel", _("Expelled")
    RETIRE = "retire", _("Retired")
    DECEASED = "deceased", _("Deceased")
    DISSOLUTION = "dissolution", _("Ended: grassroots union dissolved")


class MemberEvent(ChangeLogged):
    """One dated step of a member's life in the union: added, never edited."""

    # No index of their own on the member and the unit: the indexes below lead with each.
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    on = models.DateField(_("date"))
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("grassroots union"),
        on_delete=models.PROTECT,
        related_name="member_events",
        db_index=False,
    )
    # Transfers: the other side (a unit of the system, or a description of one outside it).
    other_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("other grassroots union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    other_unit_text = models.CharField(_("other union (outside the system)"), max_length=255, blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("member event")
        verbose_name_plural = _("member events")
        ordering = ["member", "on", "id"]
        indexes = [
            models.Index(fields=["unit", "kind", "on"]),
            models.Index(fields=["member", "on"]),
        ]

    def __str__(self) -> str:
        return f"{EventKind(self.kind).label} {self.on:%d/%m/%Y}"  # not get_kind_display: bulk logs call this


class Membership(models.Model):
    """Derived from events: ``member`` was in ``unit`` in ``state`` from ``valid_from`` until ``valid_to``."""

    # No index of their own on the member and the unit: the indexes below lead with each.
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    state = models.CharField(max_length=30, choices=Status.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("membership interval")
        verbose_name_plural = _("membership intervals")
        ordering = ["member", "valid_from"]
        indexes = [
            models.Index(fields=["unit", "valid_from"]),
            models.Index(fields=["member", "valid_from"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="membership_interval",
            ),
        ]

    def __str__(self) -> str:
        until = f"{self.valid_to:%d/%m/%Y}" if self.valid_to else "…"
        return f"{self.member_id} @ {self.unit_id}: {self.state} ({self.valid_from:%d/%m/%Y} – {until})"


class CodeSequence(models.Model):
    """The last serial issued for each year of member codes."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("member code sequence")
        verbose_name_plural = _("member code sequences")

    def __str__(self) -> str:
        return f"{self.year:02d}: {self.last}"


# ------------------------------------------------------------------------------------------------ cards
# The official workflow (DOMAIN.md §2): a CĐCS asks for cards for some of its members, the upper level
# approves or refuses the request, approved requests are printed in batches, and handing a batch out
# records each card in the member's history (``members.cards`` holds the services).


class CardReason(models.TextChoices):
    NEW = "new", _("New card")
    LOST = "lost", _("Replacement: card lost")
    DAMAGED = "damaged", _("Replacement: card damaged")
    CHANGED = "changed", _("Replacement: details changed")
    RENEWAL = "renewal", _("Card renewal campaign")


class TakenBack(models.Model):
    """A step of the card workflow the upper level took back before the cards were handed out: an approval
    withdrawn (``cards.withdraw_request``), a print batch cancelled (``cards.cancel_batch``). The row stays,
    in the state given, with who took the step back, when and why: three fields each model names in its
    own words (``taken_back``)."""

    taken_back_fields: ClassVar[tuple[str, str, str]]  # who, when, why

    class Meta:
        abstract = True

    def take_back(self, *, state: str, user, reason: str) -> None:
        by, at, why = self.taken_back_fields
        setattr(self, by, user)
        setattr(self, at, timezone.now())
        setattr(self, why, reason)
        self.state = state
        self.save()


def taken_back(by: str, at: str, why: str, labels: tuple[str, str, str]) -> type[TakenBack]:
    """``TakenBack`` with its fields named ``by``, ``at`` and ``why`` (and labelled so): the names, and the
    columns, each model had before the two shared one definition."""
    by_label, at_label, why_label = labels
    fields = {
        by: models.ForeignKey(
            "accounts.User",
            verbose_name=by_label,
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
        ),
        at: models.DateTimeField(at_label, null=True, blank=True),
        why: models.CharField(why_label, max_length=500, blank=True),
    }
    meta = type("Meta", (), {"abstract": True})
    attributes = {"__module__": __name__, "Meta": meta, "taken_back_fields": (by, at, why), **fields}
    return type(f"TakenBack_{by}", (TakenBack,), attributes)


WITHDRAWN = taken_back(
    "withdrawn_by",
    "withdrawn_at",
    "withdrawal_reason",
    (_("withdrawn by"), _("withdrawn at"), _("reason for withdrawal")),
)
CANCELLED = taken_back(
    "cancelled_by",
    "cancelled_at",
    "cancellation_reason",
    (_("cancelled by"), _("cancelled at"), _("reason for cancellation")),
)


class CardRequest(WITHDRAWN, ChangeLogged):
    """A grassroots union's request for cards for a list of its members, decided by the upper level; an
    approval taken back before printing is withdrawn (``TakenBack``)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("grassroots union"),
        on_delete=models.PROTECT,
        related_name="card_requests",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    note = models.CharField(_("note"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("card request")
        verbose_name_plural = _("card requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return f"{self.pk} · {self.unit}"


class CardPrintBatch(CANCELLED, ChangeLogged):
    """Approved requests printed together by an upper level; handing the batch out issues the cards; one
    called off before it was handed out is cancelled (``TakenBack``), its requests released."""

    class State(models.TextChoices):
        PREPARED = "prepared", _("Being printed")
        ISSUED = "issued", _("Printed and handed out")
        CANCELLED = "cancelled", _("Cancelled")

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("printed by"), on_delete=models.PROTECT, related_name="card_batches"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PREPARED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("prepared by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    issued_on = models.DateField(_("cards issued on"), null=True, blank=True)
    # The numbers of the requests it held, which went back to waiting for a batch: the batch's own record
    # of what it was (its items no longer name it).
    released_requests = models.JSONField(_("requests released"), default=list, blank=True, editable=False)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("card print batch")
        verbose_name_plural = _("card print batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pk} · {self.unit}"


class MemberCard(ChangeLogged):
    """A card a member was issued: the history of a member's cards, each replacement pointing to the card
    it replaced. The number is the member code and the card's rank for that member (``2412345675-02``)."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="cards"
    )
    number = models.CharField(_("card number"), max_length=30, unique=True)
    card_type = models.CharField(_("card type"), max_length=10, choices=CardType.choices)
    issued_on = models.DateField(_("issued on"))
    reason = models.CharField(_("reason"), max_length=10, choices=CardReason.choices)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces the card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    batch = models.ForeignKey(
        CardPrintBatch,
        verbose_name=_("print batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cards",
    )

    scope_path_field = "member__unit__path"

    class Meta:
        verbose_name = _("member card")
        verbose_name_plural = _("member cards")
        ordering = ["member", "issued_on", "id"]
        indexes = [models.Index(fields=["member", "issued_on"]), models.Index(fields=["issued_on"])]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_unit_id(self) -> int | None:
        return self.member.unit_id


class CardRequestItem(ChangeLogged):
    """One member of a card request: the reason, the card type, then the batch and the card issued."""

    request = models.ForeignKey(CardRequest, on_delete=models.CASCADE, related_name="items")
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="card_items"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=CardReason.choices)
    card_type = models.CharField(
        _("card type"), max_length=10, choices=CardType.choices, default=CardType.REGULAR
    )
    batch = models.ForeignKey(
        CardPrintBatch,
        verbose_name=_("print batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    card = models.OneToOneField(
        MemberCard,
        verbose_name=_("card issued"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="request_item",
    )

    scope_path_field = "request__unit__path"

    class Meta:
        verbose_name = _("card request item")
        verbose_name_plural = _("card request items")
        ordering = ["request", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "member"], name="card_request_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {CardReason(self.reason).label}"

    @property
    def audit_unit_id(self) -> int | None:
        return self.request.unit_id


# The staging tables of imports live with the import engine.
from congdoan.members.imports.models import ImportBatch, ImportRow  # noqa: E402, F401


class DuplicateScan(ChangeLogged):
    """A comparison of a whole unit's members run in the background (``members.duplicate_scans``), for
    units too large to compare while a page waits; its pairs are kept until the next scan of the unit."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="duplicate_scans"
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    job = models.ForeignKey(
        "core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    pair_count = models.PositiveIntegerField(_("pairs found"), default=0)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("duplicate scan")
        verbose_name_plural = _("duplicate scans")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.created_at:%d/%m/%Y %H:%M}"


class DuplicateScanPair(models.Model):
    """Two records a scan found alike. Derived data, like ``Membership``: written in bulk by the scan,
    replaced by the next one, not change-logged row by row (the scan itself is)."""

    scan = models.ForeignKey(DuplicateScan, on_delete=models.CASCADE, related_name="pairs")
    first = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    rules = models.JSONField(_("rules met"), default=list)  # keys of selectors.DUPLICATE_RULES

    scope_path_field = "scan__unit__path"

    class Meta:
        verbose_name = _("duplicate scan pair")
        verbose_name_plural = _("duplicate scan pairs")
        ordering = ["scan", "-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scan", "first", "second"], name="duplicate_scan_pair_once"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score})"
