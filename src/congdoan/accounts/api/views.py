from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.authtoken.models import Token
from rest_framework.generics import GenericAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.viewsets import GenericViewSet

from congdoan.accounts import services
from congdoan.accounts.api.scoped import ScopedViewSetMixin
from congdoan.accounts.api.serializers import (
    MeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserSerializer,
)
from congdoan.accounts.forms import ThrottledAuthenticationForm
from congdoan.accounts.models import Action, User


@extend_schema_view(
    list=extend_schema(
        summary=_("User accounts"), description=_("Administrators only; the accounts within their scope.")
    ),
    create=extend_schema(summary=_("Create an account")),
)
class UserViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    # The API docs and the browsable API show the docstring: through gettext, it reads in the user's language.
    __doc__ = _(
        "Accounts within the administrator's scope. An account is locked (`is_active=false`), never deleted."
    )

    queryset = User.objects.select_related("unit")
    serializer_class = UserSerializer
    read_action = Action.MANAGE_USERS
    default_write_action = Action.MANAGE_USERS
    lookup_value_regex = "[0-9]+"


@extend_schema(summary=_("Current user"))
class MeView(RetrieveAPIView):
    __doc__ = _("The signed-in account: its unit, its role and what it may do.")

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class TokenView(GenericAPIView):
    __doc__ = _(
        "Exchange a user name and password for an access token for a program.\n\n"
        "Locked for a while after too many failed logins, as on the login page."
    )

    serializer_class = TokenRequestSerializer
    permission_classes = [AllowAny]

    @extend_schema(summary=_("Get an access token"), responses=TokenSerializer)
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username, password = serializer.validated_data["username"], serializer.validated_data["password"]
        address = services.client_address(request)
        until = services.locked_until(username=username, address=address)
        messages = ThrottledAuthenticationForm.error_messages  # the login page's words
        if until is not None:
            # Refused before the password is checked, so guessing on gains nothing.
            wait = max(1, int((until - timezone.now()).total_seconds()))
            when = date_format(timezone.localtime(until), "H:i d/m/Y")
            raise exceptions.Throttled(wait=wait, detail=messages["locked"] % {"time": when})
        user = authenticate(request, username=username, password=password)
        if user is None:
            services.record_failed_login(username=username, address=address)
            detail = messages["invalid_login"] % {"username": User._meta.get_field("username").verbose_name}
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [detail]})
        services.forget_failed_logins(username=user.get_username())
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key}).data)
