from rest_framework import serializers

from congdoan.audit.models import ObjectChange


class ObjectChangeSerializer(serializers.ModelSerializer):
    model = serializers.SerializerMethodField(help_text="Loại đối tượng, dạng app.model")
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    user = serializers.CharField(source="user_name", read_only=True)

    class Meta:
        model = ObjectChange
        fields = [
            "id",
            "time",
            "user",
            "request_id",
            "action",
            "model",
            "object_id",
            "object_repr",
            "unit",
            "before",
            "after",
        ]

    def get_model(self, change) -> str:
        return f"{change.content_type.app_label}.{change.content_type.model}"
