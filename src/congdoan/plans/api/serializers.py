"""What the programmes API reads: units by code, a linked programme only when the user may see it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from congdoan.plans.models import (
    Basis,
    Programme,
    Recipient,
    Responsibility,
    SubmissionDeadline,
    Target,
    Task,
)


def unit_code() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Mã đơn vị")


class TargetSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False, read_only=True)
    period = serializers.SerializerMethodField(help_text="Kỳ của chỉ tiêu (mặc định: kỳ của văn bản)")

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
        help_text="Mã văn bản trong hệ thống, nếu người dùng xem được"
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
    parent = serializers.SerializerMethodField(help_text="Văn bản cấp trên mà văn bản này thực hiện")
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
