import pytest

from congdoan.accounts.models import Role, User
from tests.factories import found


@pytest.fixture
def provinces(db):
    """The provinces the seed programmes belong to, with a city union under Điện Biên."""
    national = found("Tổng Liên đoàn Lao động Việt Nam", "national", code="TLD")
    units = {
        "national": national,
        "DB": found("Liên đoàn Lao động tỉnh Điện Biên", "province", national, code="DB"),
        "LC": found("Liên đoàn Lao động tỉnh Lai Châu", "province", national, code="LC"),
        "KG": found("Liên đoàn Lao động tỉnh Kiên Giang", "province", national, code="KG"),
        "HN": found("Liên đoàn Lao động thành phố Hà Nội", "province", national, code="HN"),
    }
    units["DB-DBP"] = found("Liên đoàn Lao động thành phố Điện Biên Phủ", "upper", units["DB"], code="DB-DBP")
    return units


@pytest.fixture
def user_at(db):
    """A user of the given unit and role."""

    def make(unit, role: str = Role.OFFICER, **extra) -> User:
        return User.objects.create_user(
            username=f"{role}-{unit.code if unit else 'none'}", unit=unit, role=role, **extra
        )

    return make
