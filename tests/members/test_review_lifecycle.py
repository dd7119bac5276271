"""Review of the member record and its lifecycle (issue 3 parts 1, 2, 9, 10): cases found wanting."""

import datetime
import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange, PersonalDataAccess
from congdoan.members import services
from congdoan.members.imports import services as import_services
from congdoan.members.models import EventKind, Member, Membership, Status
from tests.factories import decision
from tests.members import listfiles
from tests.members.test_lifecycle import new_member

D = datetime.date


def intervals(member):
    return [
        (m.unit.code, m.state, m.valid_from, m.valid_to)
        for m in Membership.objects.filter(member=member).order_by("valid_from")
    ]


def test_resuming_before_the_planned_end_of_a_suspension(small_tree):
    member = services.admit_member(member=new_member(), unit=small_tree["a"])
    services.suspend_member(member=member, on=D(2021, 1, 1), until=D(2021, 7, 1))
    services.resume_member(member=member, on=D(2021, 3, 1))
    assert intervals(member) == [
        ("KG-RG-01", Status.ACTIVE, D(2019, 1, 1), D(2021, 1, 1)),
        ("KG-RG-01", Status.SUSPENDED, D(2021, 1, 1), D(2021, 3, 1)),
        ("KG-RG-01", Status.ACTIVE, D(2021, 3, 1), None),
    ]


def test_ending_or_transferring_during_a_suspension_with_an_end(small_tree):
    t = small_tree
    retired = services.admit_member(member=new_member(), unit=t["a"])
    services.suspend_member(member=retired, on=D(2021, 1, 1), until=D(2021, 7, 1))
    services.end_membership(member=retired, kind=EventKind.RETIRE, on=D(2021, 3, 1))
    assert intervals(retired)[-1] == ("KG-RG-01", Status.RETIRED, D(2021, 3, 1), None)
    moved = services.admit_member(member=new_member(full_name="Lê Văn Bình"), unit=t["a"])
    services.suspend_member(member=moved, on=D(2021, 1, 1), until=D(2021, 7, 1))
    services.transfer_member(member=moved, on=D(2021, 3, 1), to_unit=t["b"])
    assert [(code, valid_from, valid_to) for code, _state, valid_from, valid_to in intervals(moved)[-2:]] == [
        ("KG-RG-01", D(2021, 1, 1), D(2021, 3, 1)),
        ("KG-RG-02", D(2021, 3, 1), None),
    ]


def test_a_member_born_on_a_leap_day_is_admitted(small_tree):
    member = services.admit_member(
        member=new_member(birth_date=D(1996, 2, 29), joined_on=D(2018, 3, 1)), unit=small_tree["a"]
    )
    assert member.status == Status.ACTIVE
    too_young = new_member(
        full_name="Lê Thị Hoa", gender="female", birth_date=D(2008, 2, 29), joined_on=D(2023, 2, 28)
    )
    with pytest.raises(ValidationError) as error:
        services.admit_member(member=too_young, unit=small_tree["a"])
    assert "joined_on" in error.value.message_dict


def test_an_empty_id_number_is_no_id_number(small_tree):
    """An API client sends "" for an unknown ID number: stored as none, so a second such member is not a
    'same ID number' (nor, on a correction, a unique-constraint crash)."""
    first = services.admit_member(member=new_member(id_number=""), unit=small_tree["a"])
    second = services.admit_member(
        member=new_member(full_name="Lê Văn Bình", id_number=""), unit=small_tree["a"]
    )
    assert first.id_number is None and second.id_number is None
    third = services.admit_member(member=new_member(full_name="Lê Văn Cường"), unit=small_tree["a"])
    services.update_member(member=third, id_number="")
    third.refresh_from_db()
    assert third.id_number is None


def test_foreign_workers_join_from_july_2025_with_a_contract_of_12_months_or_more(small_tree):
    """Trade Union Law 2024 (in force 01/07/2025): foreign workers with labour contracts of 12 months or more
    may join a grassroots union."""
    unit = small_tree["a"]

    def refused(**fields) -> set[str]:
        with pytest.raises(ValidationError) as error:
            services.admit_member(member=new_member(nationality="Lào", **fields), unit=unit)
        return set(error.value.message_dict)

    assert refused(joined_on=D(2025, 6, 30), contract_months=24) == {"joined_on"}
    assert refused(joined_on=D(2025, 7, 1), contract_months=11) == {"contract_months"}
    assert refused(joined_on=D(2025, 7, 1)) == {"contract_months"}
    member = services.admit_member(
        member=new_member(nationality="Lào", joined_on=D(2025, 7, 1), contract_months=12), unit=unit
    )
    assert member.status == Status.ACTIVE
    # Vietnam written any common way is no foreign nationality: no contract asked, any joining date.
    for index, written in enumerate(("Viet Nam", "VN", "việt nam")):
        vietnamese = services.admit_member(
            member=new_member(full_name=f"Lê Văn {index}", nationality=written), unit=unit
        )
        assert vietnamese.nationality == "Việt Nam"


FOREIGN_WORKER = {
    "entry": "admit",
    "unit": "KG-RG-01",
    "full_name": "Somchai Phommavong",
    "birth_date": "1992-04-05",
    "gender": "male",
    "union_position": "member",
    "nationality": "Lào",
}


def test_the_admission_page_and_the_api_refuse_a_foreign_worker_naming_the_field(registry):
    officer = registry.world.users["officer"]
    page = Client()
    page.force_login(officer)
    response = page.post(
        reverse("members:admit"), {**FOREIGN_WORKER, "joined_on": "2025-08-01", "contract_months": "6"}
    )
    assert response.status_code == 200
    assert "12" in " ".join(response.context["form"].errors["contract_months"])
    api = APIClient()
    api.force_authenticate(officer)
    body = {**FOREIGN_WORKER, "joined_on": "2024-08-01", "contract_months": 24}
    response = api.post("/api/members/", body, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400 and "01/07/2025" in response.json()["joined_on"][0]
    assert not Member.objects.filter(nationality="Lào").exists()
    response = api.post("/api/members/", {**body, "joined_on": "2025-08-01"}, format="json")
    assert response.status_code == 201 and response.json()["contract_months"] == 24


def test_an_imported_foreign_worker_needs_the_contract_column(small_tree, tmp_path, media):
    headers = [*listfiles.HEADERS, "Quốc tịch", "Thời hạn HĐLĐ"]
    base = [1, "Somchai Phommavong", D(1992, 4, 5), "Nam", "Lào", None, D(2025, 8, 1), "Đoàn viên"]
    rows = [[*base, "Lào", 24], [2, "Bounmy Sisavath", *base[2:], "Lào", None]]
    path = listfiles.xlsx(tmp_path / "ds.xlsx", rows, headers=headers)
    batch = import_services.read_batch(
        batch=import_services.create_batch(file=path, unit=small_tree["a"], mode="add", user=None)
    )
    errors = import_services.summary(batch)["errors"]
    assert [(error["row"], error["column"]) for error in errors] == [(6, "Thời hạn HĐLĐ")]
    import_services.commit_batch(batch=batch)
    assert Member.objects.get().contract_months == 24


def test_a_member_transferred_to_another_province_is_received_there_as_the_same_record(registry):
    """Chuyển sinh hoạt across provinces: Kiên Giang records the transfer out, An Giang (which does not see
    Kiên Giang's records) takes the member in by the ID number; the member code and the history go on."""
    an = registry.an
    kiengiang, angiang = Client(), Client()
    kiengiang.force_login(registry.world.users["officer"])
    angiang.force_login(registry.world.users["outsider"])
    arrival = {
        "entry": "receive",
        "unit": "AG-LX-01",
        "full_name": "Nguyen Van An",  # typed without diacritics
        "birth_date": "1990-03-04",
        "gender": "male",
        "id_number": an.id_number,
        "joined_on": "2019-06-01",
        "received_on": "2025-08-05",
        "from_outside": "LĐLĐ tỉnh Kiên Giang",
        "union_position": "member",
        "nationality": "Việt Nam",
        "phone": "0912000111",
    }
    still_there = angiang.post(reverse("members:admit"), arrival)
    assert still_there.status_code == 200
    refusal = " ".join(still_there.context["form"].errors["id_number"])
    assert "05/08/2025" in refusal and "Nguyễn Trung Trực" not in refusal  # Kiên Giang's union is not named
    response = kiengiang.post(
        reverse("members:transfer", kwargs={"code": an.code}),
        {"to_outside": "LĐLĐ tỉnh An Giang", "on": "2025-08-01"},
    )
    assert response.status_code == 302
    someone_else = angiang.post(reverse("members:admit"), {**arrival, "full_name": "Lê Văn Bảy"})
    assert "id_number" in someone_else.context["form"].errors
    response = angiang.post(reverse("members:admit"), arrival)
    assert response.status_code == 302 and response.url == reverse("members:detail", kwargs={"code": an.code})
    an.refresh_from_db()
    assert (an.unit.code, an.status, an.full_name, an.phone) == (
        "AG-LX-01",
        Status.ACTIVE,
        "Nguyễn Văn An",
        "0912300001",
    )
    assert [e.kind for e in an.events.order_by("on", "id")] == [
        EventKind.ADMIT,
        EventKind.TRANSFER_OUT,
        EventKind.TRANSFER_IN,
    ]
    assert [(code, state) for code, state, *_dates in intervals(an)] == [
        ("KG-RG-01", Status.ACTIVE),
        ("KG-RG-01", Status.TRANSFERRED_OUT),
        ("AG-LX-01", Status.ACTIVE),
    ]
    assert Member.objects.filter(id_number=an.id_number).count() == 1


def test_the_id_number_of_a_deceased_member_does_not_bring_them_back(small_tree):
    gone = services.admit_member(member=new_member(id_number="091090001234"), unit=small_tree["a"])
    services.end_membership(member=gone, kind=EventKind.DECEASED, on=D(2024, 1, 1))
    arrival = new_member(id_number="091090001234")
    with pytest.raises(ValidationError) as error:
        services.receive_member(
            member=arrival, unit=small_tree["d"], on=D(2025, 1, 1), from_outside="CĐ ngành"
        )
    assert "id_number" in error.value.message_dict
    gone.refresh_from_db()
    assert gone.status == Status.DECEASED


def test_the_api_takes_in_a_member_transferred_from_outside_as_the_page_does(registry):
    an = registry.an
    services.transfer_member(member=an, on=D(2025, 8, 1), to_outside="LĐLĐ tỉnh An Giang")
    api = APIClient()
    api.force_authenticate(registry.world.users["outsider"])
    arrival = {
        "unit": "AG-LX-01",
        "full_name": "Nguyễn Văn An",
        "birth_date": "1990-03-04",
        "gender": "male",
        "id_number": an.id_number,
        "joined_on": "2019-06-01",
        "from_outside": "LĐLĐ tỉnh Kiên Giang",
    }
    response = api.post("/api/members/", arrival, format="json")
    assert response.status_code == 400 and "received_on" in response.json()
    response = api.post("/api/members/", {**arrival, "received_on": "2025-08-05"}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["code"], response.json()["unit"]) == (an.code, "AG-LX-01")
    event = an.events.get(kind=EventKind.TRANSFER_IN)
    assert (event.on, event.other_unit_text) == (D(2025, 8, 5), "LĐLĐ tỉnh Kiên Giang")


def test_a_suspension_that_reaches_its_planned_end_shows_the_member_active_again(small_tree):
    today = timezone.localdate()
    member = services.admit_member(member=new_member(), unit=small_tree["a"])
    services.suspend_member(
        member=member, on=today - datetime.timedelta(days=10), until=today + datetime.timedelta(days=5)
    )
    member.refresh_from_db()
    assert member.status == Status.SUSPENDED
    err = io.StringIO()
    call_command("members", "statuses", stderr=err)  # today: nothing to bring up to date
    assert "0" in err.getvalue().split()  # the count, in whichever language the command speaks
    logged = ObjectChange.objects.filter(object_id=member.pk, action="update")
    before = logged.count()
    with change_context(user=None):
        assert services.refresh_current_states(today=today + datetime.timedelta(days=5)) == 1
    member.refresh_from_db()
    assert member.status == Status.ACTIVE
    assert logged.count() == before + 1


def test_a_phone_number_is_checked_on_the_page_and_the_api_as_in_an_import(registry):
    officer = registry.world.users["officer"]
    api = APIClient()
    api.force_authenticate(officer)
    an = registry.an
    response = api.patch(f"/api/members/{an.code}/", {"phone": "abc"}, format="json")
    assert response.status_code == 400 and "phone" in response.json()
    response = api.patch(f"/api/members/{an.code}/", {"phone": "+84 912 345 678"}, format="json")
    assert response.status_code == 200
    an.refresh_from_db()
    assert an.phone == "0912345678"
    page = Client()
    page.force_login(officer)
    response = page.post(
        reverse("members:admit"),
        {**FOREIGN_WORKER, "nationality": "Việt Nam", "joined_on": "2020-01-01", "phone": "12"},
    )
    assert "phone" in response.context["form"].errors


def test_a_viewer_finds_by_a_whole_id_number_not_by_its_first_digits(registry):
    """The list masks ID numbers but for their last 3 digits: a search by the first digits would give a
    viewer, who may not see them, the rest (a digit at a time)."""
    an = registry.an
    viewer, officer = APIClient(), APIClient()
    viewer.force_authenticate(registry.world.users["viewer"])
    officer.force_authenticate(registry.world.users["officer"])

    def found(client, text):
        return [row["code"] for row in client.get("/api/members/", {"q": text}).json()["results"]]

    assert found(viewer, an.id_number[:9]) == []
    assert found(viewer, an.id_number) == [an.code]
    assert found(viewer, an.code[:6]) != []  # member codes are no personal data
    assert found(officer, an.id_number[:9]) == [an.code]


def test_a_cdcs_end_dated_back_before_members_joined_it_is_refused(small_tree):
    """A dissolution recorded late, dated before a member was admitted, left that member active in an
    ended union."""
    unit = small_tree["a"]
    member = services.admit_member(member=new_member(joined_on=D(2025, 9, 1)), unit=unit)
    on = D(2025, 7, 1)
    with pytest.raises(ValidationError) as error:
        services.dissolve_grassroots_union(unit=unit, effective_on=on, decision=decision(on))
    assert "01/09/2025" in " ".join(error.value.message_dict["effective_on"])
    unit.refresh_from_db()
    member.refresh_from_db()
    assert unit.dissolved_on is None and member.status == Status.ACTIVE
    later = D(2025, 10, 1)
    services.dissolve_grassroots_union(unit=unit, effective_on=later, decision=decision(later))
    member.refresh_from_db()
    assert member.status == Status.ENDED_BY_DISSOLUTION


def test_the_api_takes_an_ethnic_group_by_its_code_or_a_common_spelling(registry):
    api = APIClient()
    api.force_authenticate(registry.world.users["officer"])
    code = registry.an.code
    for written, stored in (("Khmer", "05"), ("dân tộc H'Mông", "08"), ("01", "01"), (17, "17"), ("", "")):
        response = api.patch(f"/api/members/{code}/", {"ethnic_group": written}, format="json")
        assert response.status_code == 200 and response.json()["ethnic_group"] == stored
    response = api.patch(f"/api/members/{code}/", {"ethnic_group": "Klingon"}, format="json")
    assert response.status_code == 400 and "ethnic_group" in response.json()


def test_resuming_carries_its_decision_on_the_page_and_the_api(registry):
    an, officer = registry.an, registry.world.users["officer"]
    services.suspend_member(member=an, on=D(2024, 1, 1))
    page = Client()
    page.force_login(officer)
    response = page.post(
        reverse("members:resume", kwargs={"code": an.code}),
        {"on": "2024-06-01", "decision_number": "7/QĐ-CĐCS"},
    )
    assert response.status_code == 302
    assert an.events.get(kind=EventKind.RESUME).decision_number == "7/QĐ-CĐCS"
    services.suspend_member(member=an, on=D(2024, 9, 1))
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post(
        f"/api/members/{an.code}/resume/", {"on": "2024-10-01", "decision_number": "9/QĐ-CĐCS"}, format="json"
    )
    assert response.status_code == 200
    assert an.events.filter(kind=EventKind.RESUME).latest("on").decision_number == "9/QĐ-CĐCS"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"birth_date": D(1, 1, 1)}, "birth_date"),  # year typed short
        ({"party_member": True, "party_joined_on": D(1980, 1, 1)}, "party_joined_on"),  # before birth
        ({"card_issued_on": D(2014, 1, 1)}, "card_issued_on"),  # before joining the union
        ({"birth_date": D(9990, 1, 1), "joined_on": D(9999, 1, 1)}, "birth_date"),  # far future, no crash
    ],
)
def test_dates_out_of_a_life_are_refused_naming_the_field(small_tree, fields, field):
    with pytest.raises(ValidationError) as error:
        services.admit_member(member=new_member(**fields), unit=small_tree["a"])
    assert field in error.value.message_dict
    assert not Member.objects.exists()


def test_only_a_former_member_is_admitted_again_or_received(registry):
    """Admitting again one who still was a member moved them without a transfer; a deceased one came back."""
    an, binh = registry.an, registry.binh
    services.end_membership(member=binh, kind=EventKind.DECEASED, on=D(2023, 1, 1))
    page = Client()
    page.force_login(registry.world.users["officer"])
    response = page.post(
        reverse("members:readmit", kwargs={"code": an.code}), {"unit": "KG-RG-02", "on": "2024-03-01"}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    api = APIClient()
    api.force_authenticate(registry.world.users["officer"])
    for step, body in (
        ("readmit", {"unit": "KG-RG-02", "on": "2024-01-01"}),
        ("receive", {"unit": "KG-RG-02", "on": "2024-01-01", "from_outside": "CĐ ngành Y tế"}),
    ):
        assert api.post(f"/api/members/{binh.code}/{step}/", body, format="json").status_code == 400
    an.refresh_from_db()
    binh.refresh_from_db()
    assert (an.unit.code, binh.status) == ("KG-RG-01", Status.DECEASED)
    services.end_membership(member=an, kind=EventKind.LEAVE, on=D(2024, 1, 1))
    response = api.post(
        f"/api/members/{an.code}/readmit/", {"unit": "KG-RG-02", "on": "2024-06-01"}, format="json"
    )
    assert response.status_code == 200 and response.json()["unit"] == "KG-RG-02"


def test_a_correction_through_the_api_keeps_a_birth_date_or_year(registry):
    api = APIClient()
    api.force_authenticate(registry.world.users["officer"])
    an = registry.an
    response = api.patch(f"/api/members/{an.code}/", {"birth_date": None, "birth_year": None}, format="json")
    assert response.status_code == 400 and "birth_date" in response.json()
    an.refresh_from_db()
    assert an.birth_date == D(1990, 3, 4)


def test_free_text_typed_in_nfd_is_stored_in_nfc_as_an_import_stores_it(small_tree):
    nfd = unicodedata.normalize("NFD", "Giáo viên  Toán")
    member = services.admit_member(
        member=new_member(occupation=nfd, religion=unicodedata.normalize("NFD", "Phật giáo")),
        unit=small_tree["a"],
    )
    member.refresh_from_db()
    assert (member.occupation, member.religion) == ("Giáo viên Toán", "Phật giáo")


def test_the_change_log_masks_personal_data_in_lists_and_records_each_full_view(registry):
    """An officer read every member's ID number and phone from /api/changes/, a page at a time, unrecorded."""
    an = registry.an
    api = APIClient()
    api.force_authenticate(registry.world.users["officer"])
    listed = api.get("/api/changes/", {"limit": 100}).content.decode()
    assert an.id_number not in listed and an.phone not in listed
    assert not PersonalDataAccess.objects.exists()
    change = ObjectChange.objects.for_object(an).filter(action="create").get()
    assert api.get(f"/api/changes/{change.pk}/").json()["after"]["id_number"] == an.id_number
    page = Client()
    page.force_login(registry.world.users["officer"])
    assert an.id_number in page.get(reverse("audit:detail", kwargs={"pk": change.pk})).content.decode()
    opened = PersonalDataAccess.objects.filter(object_id=an.pk, action=PersonalDataAccess.Action.VIEW)
    assert opened.count() == 2 and opened.first().user == registry.world.users["officer"]
