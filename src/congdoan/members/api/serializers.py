"""What the members API reads and writes. Lists and records show personal data masked, as the pages do;
``PersonalDataSerializer`` carries it in full (``/members/{code}/personal/``, recorded). Writes go through
``members.services``; a refusal is a 400 keyed by the field of the body it is about."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from congdoan.accounts.api.scoped import ScopedRelatedField
from congdoan.accounts.models import Action
from congdoan.members import import_steps, selectors, services
from congdoan.members.identity import ETHNIC_CHOICES, ethnic_code
from congdoan.members.imports.models import ImportBatch, ImportRow
from congdoan.members.models import EventKind, Member, MemberEvent, Membership, Status
from congdoan.units.api.serializers import NON_FIELD, service_errors
from congdoan.units.models import Employer, Level, Unit

MASKED = _("Partly masked: see it in full through /members/{code}/personal/ (logged).")


def grassroots_field(**kwargs) -> ScopedRelatedField:
    """A grassroots union (or sub-unit), by code, where the user may place members."""
    return ScopedRelatedField(
        action=Action.CHANGE,
        slug_field="code",
        queryset=Unit.objects.filter(unit_type__level__in=[Level.GRASSROOTS, Level.SUBUNIT]),
        **kwargs,
    )


# ------------------------------------------------------------------------------------------- members


class MemberSerializer(serializers.ModelSerializer):
    """A member with personal data masked: ID and passport numbers, phone and e-mail partly hidden, the
    birth year only."""

    code = serializers.CharField(
        read_only=True,
        help_text=_(
            "Member code (mã đoàn viên), given on admission and kept for life: ten digits YYSSSSSSSC, the "
            "year it was issued, a serial within that year and a check digit (Luhn) over the first nine."
        ),
    )
    unit = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("Grassroots union code")
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    merged_into = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        help_text=_("The duplicate record has been merged into this member (code)"),
    )
    id_number = serializers.SerializerMethodField(help_text=MASKED)
    passport_number = serializers.SerializerMethodField(help_text=MASKED)
    phone = serializers.SerializerMethodField(help_text=MASKED)
    email = serializers.SerializerMethodField(help_text=MASKED)
    birth_year = serializers.SerializerMethodField(
        help_text=_("Year of birth (the full date of birth is personal data)")
    )

    class Meta:
        model = Member
        # A member's own data (the personal fields masked, the year of birth for the date), then what
        # the lifecycle decides.
        fields = [
            "code",
            *(name for name in services.EDITABLE_FIELDS if name != "birth_date"),
            "joined_on",
            "unit",
            "unit_name",
            "status",
            "merged_into",
        ]
        read_only_fields = fields

    def _masked(self, member: Member) -> selectors.PersonalData:
        return selectors.PersonalData.masked(member)

    @extend_schema_field(serializers.CharField())
    def get_id_number(self, member) -> str:
        return self._masked(member).id_number

    @extend_schema_field(serializers.CharField())
    def get_passport_number(self, member) -> str:
        return self._masked(member).passport_number

    @extend_schema_field(serializers.CharField())
    def get_phone(self, member) -> str:
        return self._masked(member).phone

    @extend_schema_field(serializers.CharField())
    def get_email(self, member) -> str:
        return self._masked(member).email

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_birth_year(self, member) -> int | None:
        return member.birth_year or (member.birth_date.year if member.birth_date else None)


class MemberOnDaySerializer(MemberSerializer):
    """A member of the list as of a past day (``at``): the unit and status are those of that day."""

    unit = serializers.SlugRelatedField(
        source="on_day.unit", slug_field="code", read_only=True, help_text=_("Grassroots union code that day")
    )
    unit_name = serializers.CharField(source="on_day.unit.name", read_only=True)
    status = serializers.ChoiceField(source="on_day.state", choices=Status.choices, read_only=True)


class PersonalDataSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = [
            *("code", "full_name", "birth_date", "birth_year"),
            *("id_number", "passport_number", "phone", "email"),
        ]
        read_only_fields = fields


class EthnicGroupField(serializers.ChoiceField):
    """One of the 54 groups by its official code ("05"), or by its name as lists write it ("Khmer")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Official code (01–54), or the group's name in a common spelling"))
        super().__init__(ETHNIC_CHOICES, allow_blank=True, required=False, **kwargs)

    def to_internal_value(self, data):
        if data not in ("", None):
            data = ethnic_code(str(data)) or data
        return super().to_internal_value(data)


class MemberDataSerializer(serializers.ModelSerializer):
    """A member's own data as a client writes it; the service checks it as on any admission."""

    ethnic_group = EthnicGroupField()
    employer = serializers.PrimaryKeyRelatedField(
        queryset=Employer.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Employer id"),
    )

    class Meta:
        model = Member
        fields = list(services.EDITABLE_FIELDS)
        # Uniqueness and the person rules are the service's, with its own messages.
        extra_kwargs = {"id_number": {"validators": []}, "passport_number": {"validators": []}}

    def to_representation(self, member):
        return MemberSerializer(member, context=self.context).data


class AdmitSerializer(MemberDataSerializer):
    """Kết nạp: a new member of a grassroots union, from their union joining date; or, with
    ``from_outside`` and ``received_on``, one transferred in from a union outside the system (chuyển đến:
    a member of another province keeps their record, found by the ID or passport number)."""

    unit = grassroots_field(help_text=_("Grassroots union code"))
    joined_on = serializers.DateField()
    decision_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    from_outside = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Transferred in: the union outside the system the member comes from"),
    )
    received_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Transferred in: the date")
    )

    class Meta(MemberDataSerializer.Meta):
        fields = [
            *MemberDataSerializer.Meta.fields,
            "unit",
            "joined_on",
            "decision_number",
            "decision_date",
            "note",
            "from_outside",
            "received_on",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        employer = attrs.get("employer")
        if employer is not None and employer.unit_id != attrs["unit"].pk:
            raise serializers.ValidationError(
                {"employer": _("The employer belongs to another grassroots union.")}
            )
        if bool(attrs["from_outside"]) != bool(attrs["received_on"]):
            missing = "received_on" if attrs["from_outside"] else "from_outside"
            raise serializers.ValidationError(
                {missing: _("A transfer in gives both the union the member comes from and the date.")}
            )
        return attrs

    def create(self, validated_data):
        step = {name: validated_data.pop(name) for name in ("unit", "decision_number", "note")}
        decision_date = validated_data.pop("decision_date")
        from_outside, received_on = validated_data.pop("from_outside"), validated_data.pop("received_on")
        member = Member(**validated_data)
        if from_outside:
            with service_errors({"on": "received_on"}):
                return services.receive_member(
                    member=member, on=received_on, from_outside=from_outside, **step
                )
        with service_errors({"on": "joined_on"}):
            return services.admit_member(member=member, decision_date=decision_date, **step)


class MemberUpdateSerializer(MemberDataSerializer):
    def validate(self, attrs):
        attrs = super().validate(attrs)
        employer = attrs.get("employer")
        if employer is not None and employer.unit_id != self.instance.unit_id:
            raise serializers.ValidationError(
                {"employer": _("The employer belongs to another grassroots union.")}
            )
        return attrs

    def update(self, member, validated_data):
        with service_errors({}):
            return services.update_member(member=member, **validated_data)


# ---------------------------------------------------------------------------------------- lifecycle


class StepSerializer(serializers.Serializer):
    """One dated step of a member's life; ``save(member=…)`` calls its service (``step``)."""

    on = serializers.DateField(
        help_text=_(
            "Date (YYYY-MM-DD or dd/mm/yyyy); it may come before steps already recorded, if they still "
            "hold after it"
        )
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    service_fields: dict[str, str] = {}

    def create(self, validated_data):
        member = validated_data.pop("member")
        # The member is the URL's, not a field of the body: refusals about it are non-field errors.
        with service_errors({"member": NON_FIELD, "keep": NON_FIELD, **self.service_fields}):
            return self.step(member, validated_data)

    def to_representation(self, member):
        return MemberSerializer(member, context=self.context).data


class DecisionFields(serializers.Serializer):
    decision_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class TransferSerializer(StepSerializer, DecisionFields):
    to_unit = grassroots_field(
        required=False, allow_null=True, default=None, help_text=_("Moving to grassroots union (code)")
    )
    to_outside = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Or a union outside the system"),
    )

    def step(self, member, data):
        return services.transfer_member(member=member, **data)


class SuspendSerializer(StepSerializer, DecisionFields):
    until = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Suspended until")
    )

    service_fields = {"suspended_until": "until"}

    def step(self, member, data):
        return services.suspend_member(member=member, **data)


class ResumeSerializer(StepSerializer, DecisionFields):
    def step(self, member, data):
        return services.resume_member(member=member, **data)


class EndSerializer(StepSerializer, DecisionFields):
    kind = serializers.ChoiceField(
        choices=[(kind.value, kind.label) for kind in services.ENDING_KINDS if kind != EventKind.DISSOLUTION]
    )
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)

    def step(self, member, data):
        return services.end_membership(member=member, **data)


class ReceiveSerializer(StepSerializer, DecisionFields):
    unit = grassroots_field(help_text=_("Code of the receiving grassroots union"))
    from_outside = serializers.CharField(
        max_length=255, help_text=_("Union outside the system the member comes from")
    )

    def step(self, member, data):
        return services.receive_member(member=member, **data)


class ReadmitSerializer(StepSerializer, DecisionFields):
    unit = grassroots_field(help_text=_("Code of the grassroots union that admits again"))
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)

    def step(self, member, data):
        return services.admit_member(member=member, **data)


class MemberMergeSerializer(StepSerializer):
    """The record ``other`` merged into this one (``services.merge_members``)."""

    on = None
    note = None
    other = ScopedRelatedField(
        action=Action.CHANGE,
        slug_field="code",
        queryset=Member.objects.all(),
        help_text=_("Code of the duplicate record"),
    )
    take = serializers.ListField(
        child=serializers.ChoiceField(choices=services.MERGE_FIELDS),
        required=False,
        default=list,
        help_text=_(
            "Fields that take their value from the duplicate record (empty fields are always filled in)"
        ),
    )

    def step(self, member, data):
        return services.merge_members(keep=member, other=data["other"], take=data["take"])


# ------------------------------------------------------------------------------------------- history


class MemberEventSerializer(serializers.ModelSerializer):
    member = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    other_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = MemberEvent
        fields = [
            "id",
            "member",
            "kind",
            "on",
            "unit",
            "other_unit",
            "other_unit_text",
            "suspended_until",
            "decision_number",
            "decision_date",
            "note",
        ]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["unit", "unit_name", "state", "valid_from", "valid_to"]
        read_only_fields = fields


class DuplicatePairSerializer(serializers.Serializer):
    first = MemberSerializer()
    second = MemberSerializer()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


# ------------------------------------------------------------------------------------------- imports


class ImportBatchSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    columns = serializers.SerializerMethodField(help_text=_("Columns recognised (headers in the file)"))
    job = serializers.PrimaryKeyRelatedField(read_only=True, help_text=_("Background job reading or writing"))

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "file_name",
            "file_size",
            "file_format",
            "encoding",
            "legacy_encoding",
            "sheet",
            "header_row",
            "columns",
            "notices",
            "unit",
            "mode",
            "state",
            "file_error",
            "rows_total",
            "rows_error",
            "rows_new",
            "rows_update",
            "rows_unchanged",
            "rows_duplicate",
            "created",
            "updated",
            "created_by",
            "created_at",
            "committed_at",
            "job",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_columns(self, batch) -> list[str]:
        return [column["header"] for column in batch.columns]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("List as .xlsx or .csv"))
    unit = ScopedRelatedField(
        action=Action.CHANGE,
        slug_field="code",
        queryset=Unit.objects.all(),
        help_text=_("Code of the list's unit"),
    )
    mode = serializers.ChoiceField(choices=ImportBatch.Mode.choices, default=ImportBatch.Mode.ADD)


class ImportErrorSerializer(serializers.Serializer):
    column = serializers.CharField()
    message = serializers.CharField()


class AllowedDecisionsSerializer(serializers.Serializer):
    __doc__ = _("Each decision on a possible duplicate, as /decide/ takes it: null where it may be taken.")

    skip = serializers.CharField(allow_null=True, help_text=_("Null: the row may be skipped; else why not"))
    create = serializers.CharField(
        allow_null=True, help_text=_("Null: the row may be added as a different person; else why not")
    )
    update = serializers.CharField(
        allow_null=True, help_text=_("Null: the row may update its registry member; else why not")
    )


# The context holds the ``batch``, the page's ``allowed`` decisions (imports.services.allowed_decisions) and
# whether the registry's personal data is ``revealed`` (import_steps.show_personal_data).
class ImportRowSerializer(serializers.ModelSerializer):
    errors = ImportErrorSerializer(many=True, read_only=True)
    changes = serializers.SerializerMethodField(
        help_text=_(
            "{field: [registry value, file value]}; the registry's personal data masked unless revealed"
        )
    )
    member = serializers.SerializerMethodField(
        help_text=_("Code of the member in the register that this row duplicates or updates")
    )
    allowed_decisions = serializers.SerializerMethodField(
        help_text=_(
            "For a possible duplicate, each decision that /decide/ accepts for it (null) or refuses "
            "(the reason); null for the other rows"
        )
    )

    class Meta:
        model = ImportRow
        fields = [
            "row_number",
            "status",
            "data",
            "errors",
            "reason",
            "changes",
            "duplicate_of",
            "member",
            "decision",
            "allowed_decisions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_member(self, row) -> str | None:
        batch = self.context["batch"]
        visible = row.member is not None and row.member.unit.path.startswith(batch.unit.path)
        return row.member.code if visible else None

    @extend_schema_field(AllowedDecisionsSerializer(allow_null=True))
    def get_allowed_decisions(self, row) -> dict[str, str | None] | None:
        return self.context["allowed"].get(row.pk)

    @extend_schema_field(
        serializers.DictField(child=serializers.ListField(child=serializers.CharField(), min_length=2))
    )
    def get_changes(self, row) -> dict[str, list[str]]:
        return row.changes if self.context["revealed"] else import_steps.masked_changes(row.changes)


class DecideSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.IntegerField(min_value=1), help_text=_("Row numbers in Excel")
    )
    decision = serializers.ChoiceField(choices=[c for c in ImportRow.Decision.choices if c[0]])


class CommitSerializer(serializers.Serializer):
    skip_undecided = serializers.BooleanField(
        default=False, help_text=_("Skip the duplicate rows not decided yet")
    )


class JobSerializer(serializers.Serializer):
    id = serializers.CharField()
    state = serializers.CharField()
    phase = serializers.CharField()
    progress = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)
    result = serializers.JSONField(allow_null=True)
    error = serializers.CharField()


class DecidedSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
