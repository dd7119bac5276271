from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.formats import date_format
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
        summary="Tài khoản người dùng", description="Chỉ quản trị viên; các tài khoản trong phạm vi."
    ),
    create=extend_schema(summary="Tạo tài khoản"),
)
class UserViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """Tài khoản trong phạm vi của quản trị viên. Tài khoản được khóa (`is_active=false`), không bị xóa."""

    queryset = User.objects.select_related("unit")
    serializer_class = UserSerializer
    read_action = Action.MANAGE_USERS
    default_write_action = Action.MANAGE_USERS
    lookup_value_regex = "[0-9]+"


@extend_schema(summary="Người dùng hiện tại")
class MeView(RetrieveAPIView):
    """Tài khoản đang đăng nhập: đơn vị, vai trò và những việc được làm."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class TokenView(GenericAPIView):
    """Đổi tên đăng nhập và mật khẩu lấy mã truy cập cho chương trình.

    Tạm khóa sau nhiều lần đăng nhập sai, như trang đăng nhập.
    """

    serializer_class = TokenRequestSerializer
    permission_classes = [AllowAny]

    @extend_schema(summary="Lấy mã truy cập (token)", responses=TokenSerializer)
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
