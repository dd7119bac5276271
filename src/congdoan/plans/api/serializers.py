"""What the programmes API reads and writes: units by code, programmes by reference, each only when the
user may see it. Writes go through ``plans.services``: a refusal is a 400 naming the field, or a 403 with
the reason (a programme filed above the user's unit is read only there)."""

from dataclasses import fields, replace

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from congdoan.accounts.api.scoped import ScopedRelatedField
from congdoan.accounts.models import Action
from congdoan.plans import selectors, services
from congdoan.plans.models import (
    Basis,
    Programme,
    Recipient,
    Responsibility,
    SubmissionDeadline,
    Target,
    Task,
    TaskStatus,
)
from congdoan.units.api.serializers import service_errors
from congdoan.units.models import Unit


def unit_code() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("Unit code"))


class TargetSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False, read_only=True)
    period = serializers.SerializerMethodField(
        help_text=_("Period of the target (default: the document's period)")
    )

    class Meta:
        model = Target
        fields = [
            "ref",
            "text",
            "value",
            "kind",
            "comparator",
            "subject",
            "denominator",
            "filter_text",
            "period",
            "indicator",
            "manual",
            "note",
        ]

    def get_period(self, target) -> str:
        return str(target.period)


class ResponsibilitySerializer(serializers.ModelSerializer):
    unit = unit_code()

    class Meta:
        model = Responsibility
        fields = ["who", "unit", "what"]


class TaskSerializer(serializers.ModelSerializer):
    responsibilities = ResponsibilitySerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "ref",
            "kind",
            "title",
            "description",
            "deadline",
            "deadline_note",
            "status",
            "evidence",
            "responsibilities",
        ]


class DeadlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubmissionDeadline
        fields = ["what", "submitters", "receiver", "due_before", "channel", "address"]


class RecipientSerializer(serializers.ModelSerializer):
    unit = unit_code()

    class Meta:
        model = Recipient
        fields = ["text", "purpose", "unit"]


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.IntegerField(allow_null=True)
    end = serializers.IntegerField(allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    label = serializers.CharField(source="__str__")


def _visible_ref(serializer, programme: Programme | None) -> str | None:
    """The ref of a linked programme, if the user may see it (``visible`` in the context)."""
    if programme is None or programme.pk not in serializer.context.get("visible", set()):
        return None
    return programme.ref


class BasisSerializer(serializers.ModelSerializer):
    programme = serializers.SerializerMethodField(
        help_text=_("Document code in the system, if the user can see it")
    )

    class Meta:
        model = Basis
        fields = ["text", "programme"]

    def get_programme(self, basis) -> str | None:
        return _visible_ref(self, basis.document)


class ProgrammeSerializer(serializers.ModelSerializer):
    issuer = serializers.CharField(source="issuer_name", read_only=True)
    issuer_unit = unit_code()
    unit = unit_code()
    period = serializers.SerializerMethodField()
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "ref",
            "kind",
            "number",
            "title",
            "issuer",
            "issuer_unit",
            "unit",
            "place",
            "issued_on",
            "period",
            "themes",
            "targets",
        ]

    @extend_schema_field(PeriodSerializer)
    def get_period(self, programme) -> dict:
        return PeriodSerializer(programme.period).data


class ProgrammeDetailSerializer(ProgrammeSerializer):
    parent = serializers.SerializerMethodField(
        help_text=_("The upper-level document that this document carries out")
    )
    bases = BasisSerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)
    responsibilities = ResponsibilitySerializer(source="general_responsibilities", many=True, read_only=True)
    deadlines = DeadlineSerializer(many=True, read_only=True)
    recipients = RecipientSerializer(many=True, read_only=True)

    class Meta(ProgrammeSerializer.Meta):
        fields = [
            *ProgrammeSerializer.Meta.fields,
            "signer_title",
            "signer_name",
            "parent",
            "bases",
            "qualitative_goals",
            "tasks",
            "responsibilities",
            "deadlines",
            "recipients",
            "attachment_note",
            "merge_rule",
            "note",
        ]

    def get_parent(self, programme) -> str | None:
        return _visible_ref(self, programme.parent)


# ------------------------------------------------------------------------------------------- writes


class VisibleProgrammeField(serializers.SlugRelatedField):
    """A programme named by its reference, among those the user may see (their subtree's and ancestors')."""

    default_error_messages = {
        "does_not_exist": _("“{value}” was not found among the programmes you can see."),
        "invalid": _("Invalid value."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="ref", **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return selectors.visible(Programme.objects.all(), getattr(request, "user", None))


def scoped_unit(action: str, help_text: str, **kwargs) -> ScopedRelatedField:
    return ScopedRelatedField(
        action=action, slug_field="code", queryset=Unit.objects.all(), help_text=help_text, **kwargs
    )


def optional_unit(help_text: str) -> ScopedRelatedField:
    return scoped_unit(Action.VIEW, help_text, required=False, allow_null=True)


class ProgrammeWriteSerializer(serializers.ModelSerializer):
    """A programme as a document; its parts are written through their own routes. ``ref`` is set once."""

    issuer = serializers.CharField(
        source="issuer_name", max_length=255, help_text=_("Issuing body, as written on the document")
    )
    issuer_unit = optional_unit(_("Issuing unit in the system (code), if any"))
    unit = scoped_unit(
        Action.CHANGE,
        _("Unit the document is filed under (code), within the user's scope"),
        required=False,
        allow_null=True,
    )
    parent = VisibleProgrammeField(
        required=False,
        allow_null=True,
        help_text=_("The upper-level document that this document carries out (code)"),
    )
    themes = serializers.ListField(child=serializers.CharField(), required=False)
    qualitative_goals = serializers.ListField(child=serializers.CharField(), required=False)
    merge_rule = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text=_("Rule for merging small grassroots unions (document 001)"),
    )

    class Meta:
        model = Programme
        fields = [
            name if name != "issuer_name" else "issuer"
            for name in (f.name for f in fields(services.ProgrammeSpec))
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.instance, Programme):
            self.fields["ref"].read_only = True

    def create(self, validated_data):
        with service_errors({"issuer_name": "issuer"}):
            return services.create_programme(
                user=self.context["request"].user, spec=services.ProgrammeSpec(**validated_data)
            )

    def update(self, programme, validated_data):
        spec = replace(services.ProgrammeSpec.of(programme), **validated_data)
        with service_errors({"issuer_name": "issuer"}):
            return services.update_programme(
                user=self.context["request"].user, programme=programme, spec=spec
            )

    def to_representation(self, programme):
        programme = selectors.programme_for(self.context["request"].user, programme.ref)
        cited = [programme.parent_id, *(basis.document_id for basis in programme.bases.all())]
        visible = selectors.visible_programme_ids(self.context["request"].user, cited)
        return ProgrammeDetailSerializer(programme, context={**self.context, "visible": visible}).data


PART_API_FIELDS = ["id", "programme", "position"]


class PartSerializer(serializers.ModelSerializer):
    """One part of a programme. ``programme`` is given when the part is added, and stays."""

    programme = VisibleProgrammeField(help_text=_("Document code"))

    class Meta:
        read_only_fields = ["id", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.instance, self.Meta.model):
            self.fields["programme"].read_only = True

    @property
    def user(self):
        return self.context["request"].user

    def create(self, validated_data):
        programme = validated_data.pop("programme")
        with service_errors({}):
            return services.add_part(
                user=self.user, programme=programme, model=self.Meta.model, values=validated_data
            )

    def update(self, part, validated_data):
        with service_errors({}):
            return services.update_part(user=self.user, part=part, values=validated_data)


class TargetWriteSerializer(PartSerializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)

    class Meta(PartSerializer.Meta):
        model = Target
        fields = [*PART_API_FIELDS, *services.PART_FIELDS[Target]]
        extra_kwargs = {
            "indicator": {"help_text": _("Indicator code in the catalogue; blank when entered by hand")},
            "manual": {"help_text": _("Entered by hand: no data gives this target yet")},
        }


class TaskWriteSerializer(PartSerializer):
    class Meta(PartSerializer.Meta):
        model = Task
        fields = [*PART_API_FIELDS, *services.PART_FIELDS[Task]]


class TaskProgressSerializer(serializers.Serializer):
    """Status and evidence of a task: for the programme's unit and for the units responsible for the task."""

    status = serializers.ChoiceField(choices=TaskStatus.choices)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class ResponsibilityWriteSerializer(PartSerializer):
    task = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("Task (blank: the whole document)"),
    )
    unit = optional_unit(_("Responsible unit (code), if it is a unit in the system"))

    class Meta(PartSerializer.Meta):
        model = Responsibility
        fields = [*PART_API_FIELDS, *services.PART_FIELDS[Responsibility]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["task"].queryset = selectors.parts_for(getattr(request, "user", None), Task)


class DeadlineWriteSerializer(PartSerializer):
    class Meta(PartSerializer.Meta):
        model = SubmissionDeadline
        fields = [*PART_API_FIELDS, *services.PART_FIELDS[SubmissionDeadline]]


class RecipientWriteSerializer(PartSerializer):
    unit = optional_unit(_("Receiving unit (code), if it is a unit in the system"))

    class Meta(PartSerializer.Meta):
        model = Recipient
        fields = [*PART_API_FIELDS, *services.PART_FIELDS[Recipient]]


class BasisWriteSerializer(PartSerializer):
    document = VisibleProgrammeField(
        required=False, allow_null=True, help_text=_("Basis document in the system (code)")
    )

    class Meta(PartSerializer.Meta):
        model = Basis
        fields = [*PART_API_FIELDS, *services.PART_FIELDS[Basis]]


class MoveSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1, help_text=_("New place in the list (1 is the first)"))
