"""The demo's users: one per level and role, all with one printed password (it is a demo)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from congdoan.accounts import services
from congdoan.accounts.models import Role, User
from congdoan.audit.context import change_context
from congdoan.units.models import Level, Sector, Unit

DEMO_PASSWORD = "congdoan-demo-2025"
ENTERPRISE_SECTORS = (Sector.PRIVATE_ENTERPRISE, Sector.FDI, Sector.STATE_ENTERPRISE)
COMMUNE_UNION = "AG-RACHGIA"  # Công đoàn phường Rạch Giá, which took over Rạch Giá's grassroots unions

# (user name, role, unit code); the chair's unit is found in the tree (see _chair_unit)
DEMO_USERS = (
    ("tld.admin", Role.ADMIN, "TLD"),
    ("tld.viewer", Role.VIEWER, "TLD"),
    ("angiang.admin", Role.ADMIN, "AG"),
    ("angiang.officer", Role.OFFICER, "AG"),
    ("angiang.viewer", Role.VIEWER, "AG"),
    ("dienbien.officer", Role.OFFICER, "DB"),
    ("laichau.viewer", Role.VIEWER, "LC"),
    ("hanoi.officer", Role.OFFICER, "HN"),
    ("rachgia.officer", Role.OFFICER, COMMUNE_UNION),
    ("cdcs.chair", Role.CHAIR, None),
)


@dataclass
class DemoLogin:
    username: str
    password: str  # empty when the account's password is no longer the demo's
    unit: Unit
    role: str
    created: bool


def _chair_unit() -> Unit | None:
    """The first grassroots union by code that Công đoàn phường Rạch Giá (else LĐLĐ An Giang) holds."""
    for code in (COMMUNE_UNION, "AG"):
        top = Unit.objects.filter(code=code).first()
        if top is None:
            continue
        held = Unit.objects.active().filter(path__under=top.path, unit_type__level=Level.GRASSROOTS)
        # A chair of an enterprise's union is the common case; any grassroots union does otherwise.
        grassroots = (
            held.filter(sector__in=ENTERPRISE_SECTORS).order_by("code").first()
            or held.order_by("code").first()
        )
        if grassroots is not None:
            return grassroots
    return None


def ensure_demo_users() -> tuple[list[DemoLogin], list[str]]:
    """Create the demo users that do not exist yet; leave existing accounts as they are.

    Returns the logins, and a note for each demo user whose unit is not in the database.
    """
    logins, missing = [], []
    with change_context():
        for username, role, code in DEMO_USERS:
            user = User.objects.select_related("unit").filter(username=username).first()
            if user is not None:
                password = DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else ""
                logins.append(DemoLogin(username, password, user.unit, user.role, created=False))
                continue
            unit = Unit.objects.filter(code=code).first() if code else _chair_unit()
            if unit is None:
                missing.append(
                    _("%(username)s: no unit %(code)s in this database.")
                    % {"username": username, "code": code or _("of the grassroots level")}
                )
                continue
            services.create_user(username=username, unit=unit, role=role, password=DEMO_PASSWORD)
            logins.append(DemoLogin(username, DEMO_PASSWORD, unit, role, created=True))
    return logins, missing
