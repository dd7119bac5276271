"""The generated list / retrieve / create / update / delete and permission tests, one class per model."""

import datetime
import itertools

from congdoan.accounts.models import Role, User
from congdoan.audit.models import ObjectChange
from congdoan.units import services
from congdoan.units.models import Decision, Employer, Reorganisation, Unit, UnitType
from tests.factories import decision, unit_type
from tests.mixins import APIViewTestCases, make_user

EVERYONE = frozenset({"superuser", "admin", "officer", "viewer", "chair"})
WRITERS = frozenset({"superuser", "admin", "officer", "chair"})
REORGANISERS = frozenset({"superuser", "admin", "officer"})
SUPERUSER = frozenset({"superuser"})
ADMINS = frozenset({"superuser", "admin"})

_serial = itertools.count(1)


class TestUnitAPI(APIViewTestCases.ReadCreateUpdate):
    model = Unit
    basename = "units-api:unit"
    lookup = "code"
    create_roles = REORGANISERS  # founding changes the tree
    update_roles = WRITERS  # address, phone… of a unit in scope; a chair's own CĐCS included
    reference_field = "parent"

    def make(self, world, unit):
        return unit

    def create_data(self, world):
        return {
            "code": "KG-RG-01-BP1",
            "name": "Công đoàn bộ phận Tổ Toán",
            "unit_type": unit_type("subunit").code,
            "parent": world.own_unit.code,
            "founded_on": "01/09/2024",
        }

    def update_data(self, world):
        return {
            "phone": "0297 3862 111",
            "email": "congdoan@example.vn",
            "note": "Đã cập nhật địa chỉ liên hệ",
        }


class TestUnitTypeAPI(APIViewTestCases.CRUD):
    model = UnitType
    basename = "units-api:unit-type"
    lookup = "code"
    scoped = False
    create_roles = update_roles = delete_roles = SUPERUSER

    def make(self, world, unit):
        return UnitType.objects.create(
            code=f"cd-xa-{next(_serial)}", name="Công đoàn xã, phường", level="upper"
        )

    def create_data(self, world):
        return {"code": "cd-khu-cong-nghiep", "name": "Công đoàn các khu công nghiệp", "level": "upper"}

    def update_data(self, world):
        return {"name": "Công đoàn xã, phường, đặc khu"}


class TestEmployerAPI(APIViewTestCases.CRUD):
    model = Employer
    basename = "units-api:employer"
    create_roles = update_roles = delete_roles = WRITERS

    def make(self, world, unit):
        return Employer.objects.create(
            unit=unit, name=f"Công ty TNHH Thủy sản {unit.code}", workforce=120, female_workforce=70
        )

    def create_data(self, world):
        return {
            "unit": world.own_unit.code,
            "name": "Trường THPT Nguyễn Trung Trực",
            "sector": "hcsn_full",
            "workforce": 85,
            "female_workforce": 52,
            "workforce_on": "31/12/2024",
        }

    def update_data(self, world):
        return {"workforce": 140, "female_workforce": 90}


class TestDecisionAPI(APIViewTestCases.ReadCreate):
    model = Decision
    basename = "units-api:decision"
    create_roles = WRITERS
    reference_field = "issuer"

    def make(self, world, unit):
        return services.record_decision(
            number=f"{next(_serial)}/QĐ-{unit.code}",
            signed_on=datetime.date(2024, 6, 3),
            signer="Trần Thị Bình",
            issuer=unit,
        )

    def create_data(self, world):
        return {
            "number": "125/QĐ-LĐLĐ",
            "signed_on": "03/06/2025",
            "signer": "Lê Văn Cường",
            "issuer": world.own_unit.code,
            "summary": "Về việc kiện toàn Ban Chấp hành",
        }


class TestReorganisationAPI(APIViewTestCases.ReadOnly):
    model = Reorganisation
    basename = "units-api:reorganisation"

    def make(self, world, unit):
        on = datetime.date(2024, 1, 1)
        return services.rename_unit(
            unit=unit, name=f"{unit.name} (tên mới)", effective_on=on, decision=decision(on)
        )


class TestChangeLogAPI(APIViewTestCases.ReadOnly):
    model = ObjectChange
    basename = "audit-api:change"

    def make(self, world, unit):
        employer = Employer.objects.create(unit=unit, name=f"Doanh nghiệp {unit.code}")
        return ObjectChange.objects.for_object(employer).get()


class TestUserAPI(APIViewTestCases.ReadCreateUpdate):
    model = User
    basename = "accounts-api:user"
    read_roles = create_roles = update_roles = ADMINS

    def make(self, world, unit):
        return make_user(f"nguoi-dung-{unit.code.lower()}", unit, Role.VIEWER)

    def create_data(self, world):
        return {
            "username": "thu-ky-kg-rg-01",
            "first_name": "Hoa",
            "last_name": "Nguyễn Thị",
            "role": Role.OFFICER,
            "unit": world.own_unit.code,
            "password": "Cong-doan-co-so-2025!",
        }

    def update_data(self, world):
        return {"first_name": "Lan", "role": Role.OFFICER}
