from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from congdoan.audit.models import ObjectChange
from congdoan.audit.selectors import as_seen_by


class ObjectChangeSerializer(serializers.ModelSerializer):
    model = serializers.SerializerMethodField(help_text=_("Object type, as app.model"))
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

    def to_representation(self, change):
        listed = getattr(self.context.get("view"), "action", None) == "list"
        return super().to_representation(as_seen_by(change, self.context["request"].user, listed=listed))

    def get_model(self, change) -> str:
        return f"{change.content_type.app_label}.{change.content_type.model}"
