"""Accounts: creating users, and login throttling (refused logins counted per user name and per address
within a sliding window)."""

import datetime
import ipaddress

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from congdoan.accounts.models import FailedLogin, User
from congdoan.units.models import Unit


@transaction.atomic
def create_user(
    *,
    username: str,
    unit: Unit,
    role: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """A new account attached to an active ``unit`` with ``role``; the password must pass the validators."""
    user = User(
        username=username, unit=unit, role=role, first_name=first_name, last_name=last_name, email=email
    )
    user.full_clean(exclude=["password"])
    if not unit.is_active:
        ended = {"unit": unit, "date": date_format(unit.dissolved_on, "SHORT_DATE_FORMAT")}
        raise ValidationError({"unit": _("%(unit)s ended on %(date)s.") % ended})
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save()
    return user


def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def locked_until(*, username: str, address: str | None) -> datetime.datetime | None:
    """When logins for this user name or from this address open again; None if they are open now.

    Each of the two counts on its own: an attacker cycling user names from one address is stopped by
    the address, and one guessing a single account from many addresses by the user name.
    """
    limit = settings.LOGIN_FAILURE_LIMIT
    since = timezone.now() - _window()
    keys = [Q(username__iexact=username)] if username else []
    if address:
        keys.append(Q(address=address))
    reopen = []
    for key in keys:
        times = list(
            FailedLogin.objects.filter(key, at__gt=since).order_by("-at").values_list("at", flat=True)[:limit]
        )
        if len(times) >= limit:
            # Open again once the limit-th most recent failure leaves the window.
            reopen.append(times[limit - 1] + _window())
    return max(reopen) if reopen else None


def record_failed_login(*, username: str, address: str | None) -> None:
    # Rows older than the window no longer count; dropping them here keeps the table small.
    FailedLogin.objects.filter(at__lte=timezone.now() - _window()).delete()
    FailedLogin.objects.create(username=username[:150], address=address or None)


def forget_failed_logins(*, username: str) -> None:
    """After a successful login the user name starts afresh (the address keeps its count)."""
    FailedLogin.objects.filter(username__iexact=username).delete()


def client_address(request) -> str | None:
    """The caller's address: REMOTE_ADDR, or behind a trusted proxy the last hop it appended."""
    candidate = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        candidate = hops[-1] if hops else candidate
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
