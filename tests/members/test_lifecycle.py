import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from congdoan.core.text import person_collation_key
from congdoan.members import services
from congdoan.members.identity import check_id_number, ethnic_code
from congdoan.members.models import EventKind, Member, Membership, Status
from congdoan.units import services as unit_services
from tests.factories import decision

D = datetime.date


def new_member(**fields) -> Member:
    data = {
        "full_name": "Nguyễn Văn An",
        "gender": "male",
        "birth_date": D(1990, 5, 17),
        "joined_on": D(2015, 3, 1),
    }
    data.update(fields)
    return Member(**data)


@pytest.mark.parametrize(
    ("raw", "year", "gender"),
    [
        ("091090001234", 1990, "male"),
        ("001301012345", 2001, "female"),
        ("091 190 001234", 1990, "female"),
        ("123456789", None, None),
    ],
)
def test_valid_id_numbers(raw, year, gender):
    assert check_id_number(raw, birth_year=year, gender=gender).number == raw.replace(" ", "")


@pytest.mark.parametrize(
    ("raw", "year", "gender"),
    [
        ("09109000123", 1990, "male"),  # 11 digits
        ("09109000123A", 1990, "male"),  # a letter
        ("003090001234", 1990, "male"),  # 003 is no province code
        ("091091001234", 1990, "male"),  # birth year 91 vs 1990
        ("091290001234", 1990, "male"),  # century 2000s vs 1990
        ("091190001234", 1990, "male"),  # the digit says female
    ],
)
def test_invalid_id_numbers(raw, year, gender):
    with pytest.raises(ValueError):
        check_id_number(raw, birth_year=year, gender=gender)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kinh", "01"),
        ("khmer", "05"),
        ("Dân tộc H'Mông", "08"),
        ("Ê Đê", "12"),
        ("Bru - Vân Kiều", "23"),
        ("8", "08"),
        ("Kinh (Việt)", "01"),
        ("Khmer (Khơ-me)", "05"),
        ("Kinh (Khmer)", None),  # two groups: neither is guessed
        ("Klingon", None),
    ],
)
def test_ethnic_groups_recognised_in_common_spellings(text, code):
    assert ethnic_code(text) == code


def test_code_is_generated_with_check_digit(small_tree):
    member = services.admit_member(member=new_member(), unit=small_tree["a"])
    assert services.is_valid_code(member.code)
    assert not services.is_valid_code(member.code[:-1] + str((int(member.code[-1]) + 1) % 10))


def test_lifecycle_derives_membership_on_any_date(small_tree):
    t = small_tree
    member = services.admit_member(member=new_member(), unit=t["a"])
    services.transfer_member(member=member, on=D(2020, 1, 1), to_unit=t["b"])
    services.suspend_member(member=member, on=D(2021, 1, 1), until=D(2021, 7, 1))
    services.end_membership(member=member, kind=EventKind.RETIRE, on=D(2024, 5, 1))

    def state_on(on):
        m = Membership.objects.filter(member=member, valid_from__lte=on).order_by("-valid_from").first()
        return (m.unit.code, m.state)

    assert state_on(D(2019, 6, 1)) == ("KG-RG-01", Status.ACTIVE)
    assert state_on(D(2020, 6, 1)) == ("KG-RG-02", Status.ACTIVE)
    assert state_on(D(2021, 3, 1)) == ("KG-RG-02", Status.SUSPENDED)
    assert state_on(D(2022, 1, 1)) == ("KG-RG-02", Status.ACTIVE)
    assert state_on(D(2024, 6, 1)) == ("KG-RG-02", Status.RETIRED)
    member.refresh_from_db()
    assert (member.unit.code, member.status) == ("KG-RG-02", Status.RETIRED)


def test_bad_person_data_is_refused_naming_the_field(small_tree):
    cases = [
        ({"birth_date": D(2030, 1, 1)}, "birth_date"),
        ({"joined_on": D(1985, 1, 1)}, "joined_on"),  # before birth
        ({"joined_on": D(2000, 1, 1)}, "joined_on"),  # aged 9
        ({"id_number": "091090001234", "gender": "female"}, "id_number"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as error:
            services.admit_member(member=new_member(**fields), unit=small_tree["a"])
        assert field in error.value.message_dict
    assert Member.objects.count() == 0


def test_same_id_number_for_two_people_is_refused(small_tree):
    services.admit_member(member=new_member(id_number="091090001234"), unit=small_tree["a"])
    with pytest.raises(ValidationError) as error:
        services.admit_member(
            member=new_member(full_name="Trần Văn Bình", id_number="091090001234"), unit=small_tree["b"]
        )
    assert "id_number" in error.value.message_dict


def test_steps_in_the_wrong_state_are_refused(small_tree):
    member = services.admit_member(member=new_member(), unit=small_tree["a"])
    services.transfer_member(member=member, on=D(2020, 1, 1), to_unit=small_tree["b"])
    with pytest.raises(ValidationError):
        services.resume_member(member=member, on=D(2021, 1, 1))  # not suspended
    with pytest.raises(ValidationError):
        services.suspend_member(member=member, on=D(2014, 1, 1))  # before the admission
    with pytest.raises(ValidationError):
        services.admit_member(member=new_member(), unit=small_tree["rg"])  # not a grassroots union


def test_dissolving_a_cdcs_ends_or_moves_its_members(small_tree):
    t = small_tree
    stay = services.admit_member(member=new_member(), unit=t["a"])
    moved = services.admit_member(
        member=new_member(full_name="Lê Thị Hoa", gender="female", birth_date=D(1992, 1, 1)), unit=t["b"]
    )
    on = D(2025, 7, 1)
    assert services.settle_members_of_ended_unit(unit=t["a"], on=on) == 1
    unit_services.dissolve_unit(unit=t["a"], effective_on=on, decision=decision(on))
    assert services.settle_members_of_ended_unit(unit=t["b"], on=on, move_to=t["c"]) == 1
    stay.refresh_from_db()
    moved.refresh_from_db()
    assert stay.status == Status.ENDED_BY_DISSOLUTION
    assert (moved.unit.code, moved.status) == ("KG-PQ-01", Status.ACTIVE)


def test_people_sort_vietnamese_style_in_the_database(small_tree):
    names = ["Nguyễn Văn Bình", "Trần Thị Ánh", "Lê Văn An", "Đặng Thị Ă", "Phạm Anh", "Đỗ Văn Ân"]
    for index, name in enumerate(names):
        services.admit_member(
            member=new_member(full_name=name, birth_date=D(1980 + index, 1, 1)), unit=small_tree["a"]
        )
    ordered = list(Member.objects.order_by("sort_key").values_list("full_name", flat=True))
    assert ordered == ["Lê Văn An", "Phạm Anh", "Trần Thị Ánh", "Đặng Thị Ă", "Đỗ Văn Ân", "Nguyễn Văn Bình"]


ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
TONED = {  # toned vowel -> (base letter, tone in ICU order: none, huyền, hỏi, ngã, sắc, nặng)
    ch: (base, tone)
    for base, row in {
        "a": "àảãáạ",
        "ă": "ằẳẵắặ",
        "â": "ầẩẫấậ",
        "e": "èẻẽéẹ",
        "ê": "ềểễếệ",
        "i": "ìỉĩíị",
        "o": "òỏõóọ",
        "ô": "ồổỗốộ",
        "ơ": "ờởỡớợ",
        "u": "ùủũúụ",
        "ư": "ừửữứự",
        "y": "ỳỷỹýỵ",
    }.items()
    for tone, ch in enumerate(row, start=1)
}


def reference_key(word: str):
    letters = [TONED.get(ch, (ch, 0)) for ch in word]
    return tuple(ALPHABET.index(base) for base, _ in letters), tuple(tone for _, tone in letters)


@given(st.lists(st.text(alphabet=ALPHABET + "".join(TONED), min_size=1, max_size=8), min_size=2, max_size=8))
def test_collation_key_orders_single_words_like_a_reference(words):
    from congdoan.core.text import sort_key

    assert [reference_key(w) for w in sorted(words, key=sort_key)] == sorted(reference_key(w) for w in words)


def test_person_key_orders_by_given_name_first():
    assert person_collation_key("Trần Văn An") < person_collation_key("Nguyễn Văn Anh")
    assert person_collation_key("Lê An") < person_collation_key("Đỗ Thị An")


def test_change_log_masks_personal_data_for_roles_that_may_not_see_it(small_tree, client, django_user_model):
    from congdoan.accounts.models import Role
    from congdoan.audit.models import PERSONAL_MASK, ObjectChange

    member = services.admit_member(
        member=new_member(id_number="091090001234", phone="0912345678"), unit=small_tree["a"]
    )
    change = ObjectChange.objects.for_object(member).filter(action="create").get()
    viewer = django_user_model.objects.create_user(
        "kg.viewer", password="x-long-password-1", unit=small_tree["kg"], role=Role.VIEWER
    )
    officer = django_user_model.objects.create_user(
        "kg.officer", password="x-long-password-1", unit=small_tree["kg"], role=Role.OFFICER
    )
    client.force_login(viewer)
    page = client.get(f"/changes/{change.pk}/").content.decode()
    api = client.get(f"/api/changes/{change.pk}/").json()
    assert "091090001234" not in page and "0912345678" not in page and PERSONAL_MASK in page
    assert api["after"]["id_number"] == PERSONAL_MASK and api["after"]["full_name"] == "Nguyễn Văn An"
    client.force_login(officer)
    assert client.get(f"/api/changes/{change.pk}/").json()["after"]["id_number"] == "091090001234"
    assert "091090001234" in client.get(f"/changes/{change.pk}/").content.decode()
