"""Member pages: scope (another province's members are 404), masking, the recorded full view, search and
order, filters, admission and lifecycle forms with their refusals, exports and the printable list."""

import csv
import datetime
import io
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from congdoan.audit.models import PersonalDataAccess
from congdoan.core import jobs
from congdoan.members import downloads, services
from congdoan.members.models import EventKind, Member, MemberEvent, Status
from congdoan.units import services as unit_services
from congdoan.units.models import Unit
from tests.factories import decision
from tests.members.people import admit

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as(registry):
    def login(role: str) -> Client:
        client = Client()
        client.force_login(registry.world.users[role])
        return client

    return login


def url(name: str, **kwargs) -> str:
    return reverse(f"members:{name}", kwargs=kwargs)


def member_pages(member: Member) -> dict[str, str]:
    return {name: url(name, code=member.code) for name in ("detail", "edit", "transfer", "suspend", "end")}


# ------------------------------------------------------------------------------------------- scope


def test_every_page_renders_in_vietnamese_for_an_officer(client_as, registry):
    client = client_as("officer")
    pages = [url("list"), url("admit"), url("duplicates"), url("imports"), url("print", code="KG-RG-01")]
    pages += list(member_pages(registry.an).values())
    pages += [url("resume", code=registry.an.code), url("receive", code=registry.an.code)]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert b'<html lang="vi">' in response.content


def test_another_provinces_member_is_not_found(client_as, registry):
    for role in ("admin", "officer", "viewer", "chair"):
        client = client_as(role)
        for page in member_pages(registry.cuong).values():
            assert client.get(page).status_code == 404, (role, page)
        assert (
            client.post(
                url("end", code=registry.cuong.code), {"kind": "leave", "on": "2024-01-01"}
            ).status_code
            == 404
        )
    registry.cuong.refresh_from_db()
    assert registry.cuong.status == Status.ACTIVE
    listing = client_as("officer").get(url("list"), {"status": "all"}).content.decode()
    assert "Nguyễn Văn An" in listing and "Trần Thị Bình" in listing and "Lê Văn Cường" not in listing


def test_a_chair_sees_the_members_of_their_own_grassroots_union_only(client_as, registry):
    client = client_as("chair")
    listing = client.get(url("list")).content.decode()
    assert "Nguyễn Văn An" in listing and "Trần Thị Bình" not in listing
    assert client.get(url("detail", code=registry.binh.code)).status_code == 404
    assert client.get(url("edit", code=registry.an.code)).status_code == 200


def test_a_viewer_reads_but_changes_nothing(client_as, registry):
    client = client_as("viewer")
    assert client.get(url("list")).status_code == 200
    assert client.get(url("detail", code=registry.an.code)).status_code == 200
    for page in (url("admit"), url("imports"), *list(member_pages(registry.an).values())[1:]):
        assert client.get(page).status_code == 403, page
    assert client.post(url("suspend", code=registry.an.code), {"on": "2024-01-01"}).status_code == 403
    assert not MemberEvent.objects.filter(member=registry.an, kind=EventKind.SUSPEND).exists()


# ----------------------------------------------------------------------------------- personal data


def test_lists_mask_id_number_phone_and_birth_date(client_as, registry):
    page = client_as("admin").get(url("list")).content.decode()
    an = registry.an
    assert an.id_number not in page and an.phone not in page and "04/03/1990" not in page
    assert "*********001" in page and an.phone[:3] + "*****" + an.phone[-2:] in page and "1990" in page


def test_the_full_record_is_shown_on_request_and_the_view_is_recorded(client_as, registry):
    client = client_as("officer")
    detail = url("detail", code=registry.an.code)
    masked = client.get(detail)
    assert registry.an.id_number not in masked.content.decode()
    assert not PersonalDataAccess.objects.exists()
    full = client.get(detail, {"reveal": "1", "reason": "Kiểm tra hồ sơ cấp thẻ"})
    assert registry.an.id_number in full.content.decode() and "04/03/1990" in full.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.action, access.reason, access.object_id, access.unit_id) == (
        registry.world.users["officer"],
        PersonalDataAccess.Action.VIEW,
        "Kiểm tra hồ sơ cấp thẻ",
        registry.an.pk,
        registry.an.unit_id,
    )
    assert str(access.request_id) == full["X-Request-ID"]
    # An administrator of the unit sees who looked.
    assert "Kiểm tra hồ sơ cấp thẻ" in client_as("admin").get(detail).content.decode()


def test_a_viewer_cannot_see_personal_data_in_full(client_as, registry):
    client = client_as("viewer")
    detail = url("detail", code=registry.an.code)
    assert "Show in full" not in client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert client.get(detail, {"reveal": "1"}).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_the_chair_of_the_members_own_union_sees_personal_data(client_as, registry):
    response = client_as("chair").get(url("detail", code=registry.an.code), {"reveal": "1"})
    assert registry.an.id_number in response.content.decode()
    assert PersonalDataAccess.objects.filter(user=registry.world.users["chair"]).count() == 1


def test_opening_the_edit_form_is_recorded(client_as, registry):
    client_as("officer").get(url("edit", code=registry.an.code))
    assert PersonalDataAccess.objects.get().action == PersonalDataAccess.Action.EDIT


# ----------------------------------------------------------------------------------- search, order


def names_listed(client, **query) -> list[str]:
    response = client.get(url("list"), query)
    return [member.full_name for member, _personal in response.context["rows"]]


def test_search_by_name_without_diacritics_id_number_and_code(client_as, registry):
    client = client_as("officer")
    assert names_listed(client, q="nguyen van an") == ["Nguyễn Văn An"]
    assert names_listed(client, q="NGUYEN  Van   AN") == ["Nguyễn Văn An"]
    assert names_listed(client, q="binh") == ["Trần Thị Bình"]
    assert names_listed(client, q="an") == ["Nguyễn Văn An"]  # a word's start: not "Trần" nor "Bình"
    assert names_listed(client, q=registry.binh.id_number) == ["Trần Thị Bình"]
    assert names_listed(client, q=registry.binh.id_number[:7] + " " + registry.binh.id_number[7:]) == [
        "Trần Thị Bình"
    ]
    assert names_listed(client, q=registry.an.code) == ["Nguyễn Văn An"]
    assert names_listed(client, q=registry.cuong.code) == []  # An Giang's


def test_people_are_listed_vietnamese_style(client_as, small_tree, registry):
    for serial, name in enumerate(["Lê Văn Ánh", "Đặng Thị Anh", "Bùi An", "Phạm Văn Ân", "Đỗ Thị Ăn"], 10):
        admit(small_tree["a"], name, serial=serial)
    names = names_listed(client_as("officer"))
    # Given name first (a < ă < â, no tone before tones), then middle and family names.
    assert names == [
        "Bùi An",
        "Nguyễn Văn An",
        "Đặng Thị Anh",
        "Lê Văn Ánh",
        "Đỗ Thị Ăn",
        "Phạm Văn Ân",
        "Trần Thị Bình",
    ]
    assert names_listed(client_as("officer"), sort="-name")[0] == "Trần Thị Bình"


def test_filters(client_as, small_tree, registry):
    client = client_as("officer")
    services.end_membership(member=registry.binh, kind=EventKind.LEAVE, on=D(2024, 1, 1))
    assert names_listed(client) == ["Nguyễn Văn An"]  # current members by default
    assert names_listed(client, status="all") == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert names_listed(client, status=Status.LEFT) == ["Trần Thị Bình"]
    assert names_listed(client, status="all", gender="female") == ["Trần Thị Bình"]
    assert names_listed(client, status="all", unit="KG-RG-02") == ["Trần Thị Bình"]
    assert names_listed(client, status="all", unit="KG-RG") == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert names_listed(client, status="all", unit="KG-PQ") == []
    services.update_member(member=registry.an, party_member=True, card_type="regular")
    assert names_listed(client, party_member="true") == ["Nguyễn Văn An"]
    assert names_listed(client, status="all", card_type="none") == ["Trần Thị Bình"]
    assert names_listed(client, joined_from="2019-06-02") == []
    assert names_listed(client, joined_to="2019-06-01", ethnic_group="") == ["Nguyễn Văn An"]
    # A unit outside the scope is refused by the filter, never listed.
    response = client.get(url("list"), {"unit": "AG-LX-01", "status": "all"})
    assert "Lê Văn Cường" not in response.content.decode() and response.context["filterset"].errors


def test_the_list_counts_separately_and_pages_without_counting(client_as, small_tree, registry, monkeypatch):
    from congdoan.members import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client = client_as("officer")
    first = client.get(url("list"))
    assert first.context["page"].has_next and not first.context["page"].has_previous
    second = client.get(url("list"), {"page": 2})
    assert [m.full_name for m, _p in second.context["rows"]] == ["Trần Thị Bình"] and not second.context[
        "page"
    ].has_next
    assert client.get(url("list"), {"page": "x"}).context["page"].number == 1
    assert client.get(url("count")).context["count"] == 2


# ----------------------------------------------------------------------------------- writes


def test_admit_a_member(client_as, registry):
    response = client_as("chair").post(
        url("admit"),
        {
            "entry": "admit",
            "unit": "KG-RG-01",
            "full_name": "  Hoàng  Thị   Mai ",
            "birth_date": "1995-07-08",
            "gender": "female",
            "joined_on": "2024-02-01",
            "id_number": "091195001234",
            "union_position": "member",
            "nationality": "Việt Nam",
            "decision_number": "05/QĐ-CĐCS",
        },
    )
    member = Member.objects.get(full_name="Hoàng Thị Mai")
    assert response.status_code == 302 and response.url == url("detail", code=member.code)
    assert services.is_valid_code(member.code) and member.unit.code == "KG-RG-01"
    assert member.events.get().decision_number == "05/QĐ-CĐCS"


def admission(**changes) -> dict:
    data = {
        "entry": "admit",
        "unit": "KG-RG-01",
        "full_name": "Hoàng Thị Mai",
        "birth_date": "1995-07-08",
        "gender": "female",
        "joined_on": "2024-02-01",
        "union_position": "member",
        "nationality": "Việt Nam",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"id_number": "091095001234"}, "id_number", "giới tính"),  # the digit says male
        ({"id_number": "09119500123"}, "id_number", "12"),  # 11 digits
        ({"joined_on": "2005-01-01"}, "joined_on", "tuổi"),  # aged 9
        ({"birth_date": "", "birth_year": ""}, "birth_date", ""),
        ({"birth_date": "", "birth_year": "85"}, "birth_year", ""),
        ({"unit": "KG-RG"}, "unit", ""),  # not a grassroots union
        ({"unit": "AG-LX-01"}, "unit", ""),  # outside the scope
    ],
)
def test_bad_admissions_name_the_field_in_vietnamese_and_write_nothing(
    client_as, registry, changes, field, text
):
    before = Member.objects.count()
    response = client_as("officer").post(url("admit"), admission(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert text.lower() in " ".join(errors[field]).lower()
    assert Member.objects.count() == before


def test_the_same_id_number_twice_is_refused(client_as, registry):
    response = client_as("officer").post(
        url("admit"), admission(id_number=registry.binh.id_number, birth_date="1985-03-04")
    )
    assert "id_number" in response.context["form"].errors


def test_correct_personal_data(client_as, registry):
    client = client_as("officer")
    data = {
        "full_name": "Nguyễn Văn Ân",
        "birth_date": "1990-03-04",
        "gender": "male",
        "id_number": registry.an.id_number,
        "phone": "0988777666",
        "union_position": "committee",
        "nationality": "Việt Nam",
    }
    response = client.post(url("edit", code=registry.an.code), data)
    assert response.status_code == 302
    registry.an.refresh_from_db()
    assert (registry.an.full_name, registry.an.phone, registry.an.search_name) == (
        "Nguyễn Văn Ân",
        "0988777666",
        "nguyen van an",
    )
    bad = client.post(url("edit", code=registry.an.code), {**data, "birth_date": "2031-01-01"})
    assert "birth_date" in bad.context["form"].errors
    registry.an.refresh_from_db()
    assert registry.an.birth_date == D(1990, 3, 4)


def test_lifecycle_steps_through_the_forms(client_as, small_tree, registry):
    client = client_as("officer")
    an = registry.an
    response = client.post(url("transfer", code=an.code), {"to_unit": "KG-PQ-01", "on": "2022-01-01"})
    assert response.status_code == 302
    an.refresh_from_db()
    assert an.unit.code == "KG-PQ-01"
    client.post(url("suspend", code=an.code), {"on": "2023-01-01", "until": "2023-06-01"})
    an.refresh_from_db()
    assert an.status == Status.ACTIVE  # the suspension ended on 01/06/2023
    client.post(url("suspend", code=an.code), {"on": "2024-01-01"})
    an.refresh_from_db()
    assert an.status == Status.SUSPENDED
    client.post(url("resume", code=an.code), {"on": "2024-03-01"})
    client.post(
        url("transfer", code=an.code), {"to_outside": "Công đoàn Công ty X, tỉnh Cà Mau", "on": "2024-05-01"}
    )
    an.refresh_from_db()
    assert an.status == Status.TRANSFERRED_OUT
    client.post(
        url("receive", code=an.code), {"unit": "KG-RG-01", "from_outside": "Cà Mau", "on": "2024-09-01"}
    )
    client.post(url("end", code=an.code), {"kind": "retire", "on": "2025-01-01", "decision_number": "9/QĐ"})
    an.refresh_from_db()
    assert (an.status, an.unit.code) == (Status.RETIRED, "KG-RG-01")
    kinds = list(an.events.order_by("on", "id").values_list("kind", flat=True))
    assert kinds == [
        "admit",
        "transfer_out",
        "transfer_in",
        "suspend",
        "suspend",
        "resume",
        "transfer_out",
        "transfer_in",
        "retire",
    ]
    assert url("readmit", code=an.code) in client.get(url("detail", code=an.code)).content.decode()


def test_a_step_that_does_not_apply_is_refused_and_changes_nothing(client_as, registry):
    client = client_as("officer")
    resume = client.post(url("resume", code=registry.an.code), {"on": "2024-01-01"})
    assert resume.status_code == 200 and resume.context["form"].non_field_errors()
    early = client.post(url("suspend", code=registry.an.code), {"on": "2019-01-01"})  # before the admission
    assert early.status_code == 200 and early.context["form"].errors
    ended = client.post(url("suspend", code=registry.an.code), {"on": "2024-01-01", "until": "2023-01-01"})
    assert "until" in ended.context["form"].errors
    assert registry.an.events.count() == 1


# ----------------------------------------------------------------------------------- exports, print


def exported_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_export_the_filtered_list_masked_for_everyone(client_as, registry):
    response = client_as("viewer").get(url("export"), {"format": "csv", "q": "binh"})
    rows = exported_rows(response)
    assert len(rows) == 2 and rows[1][1] == "Trần Thị Bình"
    assert registry.binh.id_number not in "".join(rows[1]) and "*********002" in rows[1]
    assert not PersonalDataAccess.objects.exists()


def test_personal_data_exports_only_for_roles_allowed_and_recorded(client_as, registry):
    assert client_as("viewer").get(url("export"), {"format": "csv", "full": "1"}).status_code == 403
    assert client_as("chair").get(url("export"), {"format": "csv", "full": "1"}).status_code == 403
    response = client_as("officer").get(
        url("export"), {"format": "xlsx", "full": "1", "unit": "KG-RG-02", "status": "all"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert registry.binh.id_number in values and registry.an.id_number not in values
    access = PersonalDataAccess.objects.get()
    assert (access.action, access.object_repr, access.unit.code) == (
        PersonalDataAccess.Action.EXPORT,
        str(registry.binh.unit),
        "KG-RG-02",
    )


def test_a_long_list_is_exported_by_a_job_and_its_file_given_once(
    client_as, registry, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT, settings.CONGDOAN_JOBS = tmp_path, "worker"
    monkeypatch.setattr(downloads, "INLINE_MAX", 1)
    client = client_as("officer")
    response = client.get(url("export"), {"format": "csv"})
    job_page = response.url
    assert response.status_code == 302 and "hx-get" in client.get(job_page).content.decode()
    assert jobs.work(once=True) == 1
    assert (
        "Tải về" in client.get(job_page).content.decode()
        or "Download" in client.get(job_page).content.decode()
    )
    pk = int(job_page.rstrip("/").rsplit("/", 1)[1])
    # Nobody else gets the file, not even an administrator of the same unit.
    assert client_as("admin").get(url("export_file", pk=pk)).status_code == 404
    rows = exported_rows(client.get(url("export_file", pk=pk)))
    assert [row[1] for row in rows[1:]] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert client.get(url("export_file", pk=pk)).status_code == 404  # deleted once given


def test_the_printable_list_of_a_grassroots_union(client_as, registry):
    filtered = client_as("officer").get(url("list"), {"unit": "KG-RG-01"}).content.decode()
    assert url("print", code="KG-RG-01") in filtered
    assert (
        url("print", code="KG-RG")
        not in client_as("officer").get(url("list"), {"unit": "KG-RG"}).content.decode()
    )
    officer_page = client_as("officer").get(url("print", code="KG-RG-01")).content.decode()
    assert (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in officer_page and "Độc lập - Tự do - Hạnh phúc" in officer_page
    )
    assert "LIÊN ĐOÀN LAO ĐỘNG THÀNH PHỐ RẠCH GIÁ" in officer_page.upper() and "Nguyễn Văn An" in officer_page
    assert "04/03/1990" in officer_page and "Trần Thị Bình" not in officer_page
    assert PersonalDataAccess.objects.get().action == PersonalDataAccess.Action.PRINT
    viewer_page = client_as("viewer").get(url("print", code="KG-RG-01")).content.decode()
    assert "04/03/1990" not in viewer_page and "1990" in viewer_page
    assert PersonalDataAccess.objects.count() == 1
    assert client_as("officer").get(url("print", code="KG-RG")).status_code == 404  # not a grassroots union
    assert client_as("officer").get(url("print", code="AG-LX-01")).status_code == 404
    past = client_as("officer").get(url("print", code="KG-RG-01"), {"at": "2019-01-01"}).content.decode()
    assert "Nguyễn Văn An" not in past  # admitted on 01/06/2019


def test_the_printable_list_as_pdf(client_as, registry):
    response = client_as("officer").get(url("print", code="KG-RG-01"), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert b"KG-RG-01" in response["Content-Disposition"].encode()
    assert PersonalDataAccess.objects.get().action == PersonalDataAccess.Action.PRINT


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext absent (Debian: poppler-utils)")
def test_the_pdf_holds_the_vietnamese_text(client_as, registry, tmp_path):
    pdf = tmp_path / "list.pdf"
    pdf.write_bytes(client_as("officer").get(url("print", code="KG-RG-01"), {"format": "pdf"}).content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "DANH SÁCH ĐOÀN VIÊN",
        "Nguyễn Văn An",
        "04/03/1990",
    ):
        assert expected in text


def test_the_printable_list_of_a_past_day_is_headed_as_the_union_was_named_then(client_as, registry):
    unit = Unit.objects.get(code="KG-RG-01")
    old_name = unit.name
    unit_services.rename_unit(
        unit=unit,
        name="Công đoàn cơ sở Công ty Mới Đổi Tên",
        effective_on=datetime.date(2024, 1, 1),
        decision=decision(datetime.date(2023, 12, 20), "12/QĐ-LĐLĐ"),
    )
    client = client_as("officer")
    past = client.get(url("print", code="KG-RG-01"), {"at": "2023-06-30"}).content.decode()
    assert old_name in past and "Mới Đổi Tên" not in past
    assert "Tính đến ngày 30/06/2023" in past
    today = timezone.localdate()
    assert f"ngày {today:%d} tháng {today:%m} năm {today:%Y}" in past  # the document's own date
    now = client.get(url("print", code="KG-RG-01")).content.decode()
    assert "Mới Đổi Tên" in now
