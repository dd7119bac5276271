from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from congdoan.accounts.api.scoped import ScopedRelatedField
from congdoan.accounts.models import Action, User
from congdoan.core.api import CleanModelSerializer
from congdoan.units.models import Unit

# Who the person is and where they work, as both an administrator and the person see it.
ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "unit", "unit_name", "role"]


class UserSerializer(CleanModelSerializer):
    """An account in the administrator's subtree. The password is set, never read back."""

    unit = ScopedRelatedField(
        action=Action.MANAGE_USERS,
        slug_field="code",
        queryset=Unit.objects.all(),
        help_text=_("Code of the user's unit"),
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    password = serializers.CharField(
        write_only=True,
        required=False,
        style={"input_type": "password"},
        trim_whitespace=False,
        help_text=_("Required when creating; when editing, leave blank to keep the current password"),
    )

    clean_exclude = ("password",)

    class Meta:
        model = User
        fields = ["id", *ACCOUNT_FIELDS, "is_active", "last_login", "date_joined", "password"]
        read_only_fields = ["last_login", "date_joined"]

    def validate(self, attrs):
        password = attrs.pop("password", None)
        if self.instance is None and not password:
            raise serializers.ValidationError({"password": [_("Choose a password for the new account.")]})
        attrs = super().validate(attrs)
        if password:
            candidate = User(**{**self._current(), **attrs})
            try:
                password_validation.validate_password(password, candidate)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"password": error.messages}) from None
            attrs["password"] = password
        return attrs

    def _current(self) -> dict:
        """The account's names as stored, which the similarity rule compares a new password against."""
        if self.instance is None:
            return {}
        return {
            name: getattr(self.instance, name) for name in ("username", "first_name", "last_name", "email")
        }

    def create(self, validated_data):
        password = validated_data.pop("password")
        user = User(**validated_data)
        user.set_password(password)
        user.save()
        return user

    def update(self, user, validated_data):
        password = validated_data.pop("password", None)
        for name, value in validated_data.items():
            setattr(user, name, value)
        if password:
            user.set_password(password)
        user.save()
        return user


class MeSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    actions = serializers.SerializerMethodField(help_text=_("What this role may do"))

    class Meta:
        model = User
        fields = [*ACCOUNT_FIELDS, "is_superuser", "actions"]
        read_only_fields = fields

    def get_actions(self, user) -> list[str]:
        return [action for action in Action.values if user.can(action)]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("User name"))
    password = serializers.CharField(
        label=_("Password"), trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send with every request: `Authorization: Token <token>`"))
