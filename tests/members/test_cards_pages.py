"""Member card pages: the workflow through the forms, refusals shown beside their field, another province's
requests and batches not found, the PDF sheet of cards (a large one made by a background job, its file given
once to whoever asked) and the printer's .xlsx read back."""

import datetime
import importlib.util
import io
import re
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from congdoan.accounts.models import Role
from congdoan.core import jobs
from congdoan.core.models import Job
from congdoan.members import card_exports, cards, downloads, services
from congdoan.members.cards import CardWish
from congdoan.members.models import CardPrintBatch, CardReason, CardRequest, CardType
from tests.members.people import admit
from tests.mixins import client_for, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def users(registry):
    users = dict(registry.world.users)
    users["rg_officer"] = make_user("kg-rg-officer", registry.world.units["rg"], Role.OFFICER)
    return users


@pytest.fixture
def client_as(users):
    def login(role: str) -> Client:
        client = Client(headers={"accept-language": "en"})  # the messages compared are the English sources
        client.force_login(users[role])
        return client

    return login


def url(name: str, **kwargs) -> str:
    return reverse(f"members:{name}", kwargs=kwargs)


@pytest.fixture
def batch(registry, users) -> CardPrintBatch:
    """A batch of Rạch Giá holding two approved requests: An's new card, and Bình's linked card, whose name
    starts like a formula."""
    units = registry.world.units
    registry.binh.full_name = "=Trần Thị Bình"
    registry.binh.save()
    requests = [
        cards.request_cards(
            user=users["chair"], unit=units["a"], wishes=[CardWish(registry.an, CardReason.NEW)]
        ),
        cards.request_cards(
            user=users["officer"],
            unit=units["b"],
            wishes=[CardWish(registry.binh, CardReason.RENEWAL, CardType.LINKED)],
        ),
    ]
    for request in requests:
        cards.approve_request(request=request, user=users["rg_officer"])
    return cards.create_print_batch(
        user=users["rg_officer"], unit=units["rg"], requests=requests, issued_on=timezone.localdate()
    )


def test_the_card_pages_render(client_as, registry, batch):
    request = CardRequest.objects.first()
    pages = [
        url("cards"),
        url("cards") + "?unit=KG-RG&since=2024-01-01",
        url("card_requests"),
        url("card_requests") + "?state=approved",
        url("card_request_new"),
        url("card_request_new") + "?unit=KG-RG-01",
        url("card_request", pk=request.pk),
        url("card_batches"),
        url("card_batch_new"),
        url("card_batch", pk=batch.pk),
        url("detail", code=registry.an.code),
    ]
    for role in ("officer", "admin"):
        for page in pages:
            response = client_as(role).get(page)
            assert response.status_code == 200, page
    overview = client_as("officer").get(url("cards") + "?unit=KG-RG").content.decode()
    assert "Công đoàn cơ sở Trường THPT Nguyễn Trung Trực" in overview  # a child's row


def test_the_overview_without_a_unit_starts_from_the_roots_within_the_scope(client_as, users):
    """A superuser attached to no unit reads the roots of the tree; anyone else with no unit, nothing."""
    table = client_as("superuser").get(url("cards")).context["table"]
    assert [(row[0].code, row[-1]) for row in table] == [("TLD", False)]  # no row is a chosen unit's own
    users["unattached"] = make_user("no-unit", None, Role.OFFICER)
    assert client_as("unattached").get(url("cards")).context["table"] == []


def test_a_chair_requests_and_the_upper_level_approves_through_the_pages(client_as, registry, users):
    chair = client_as("chair")
    form = chair.get(url("card_request_new")).content.decode()
    assert "Nguyễn Văn An" in form and "Trần Thị Bình" not in form  # the chair's own CĐCS by default
    response = chair.post(
        url("card_request_new") + "?unit=KG-RG-01",
        {"members": [registry.an.pk], "reason": CardReason.NEW, "card_type": CardType.REGULAR},
    )
    request = CardRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == url("card_request", pk=request.pk)
    assert request.requested_by == users["chair"]
    # The chair sees no decision buttons, and a decision posted anyway is refused.
    assert "Approve" not in chair.get(url("card_request", pk=request.pk)).content.decode()
    response = chair.post(url("card_request_approve", pk=request.pk), follow=True)
    assert "cannot decide on it" in response.content.decode()
    upper = client_as("rg_officer")
    assert "Approve" in upper.get(url("card_request", pk=request.pk)).content.decode()
    upper.post(url("card_request_approve", pk=request.pk))
    request.refresh_from_db()
    assert request.state == CardRequest.State.APPROVED

    response = upper.post(
        url("card_batch_new") + "?unit=KG-RG",
        {"requests": [request.pk], "issued_on": timezone.localdate().isoformat()},
    )
    batch = CardPrintBatch.objects.get()
    assert response["Location"] == url("card_batch", pk=batch.pk)
    upper.post(url("card_batch_issue", pk=batch.pk))
    detail = chair.get(url("detail", code=registry.an.code)).content.decode()
    assert f"{registry.an.code}-01" in detail  # the member's card history


def test_refusals_are_shown_beside_their_field(client_as, registry, users):
    chair = client_as("chair")
    page = url("card_request_new") + "?unit=KG-RG-01"
    response = chair.post(page, {"members": [registry.binh.pk], "reason": "new", "card_type": "regular"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    cards.request_cards(user=users["chair"], unit=registry.an.unit, wishes=[CardWish(registry.an, "new")])
    # A member with a request waiting is no longer offered.
    assert "Nguyễn Văn An" not in chair.get(page).content.decode()
    request = CardRequest.objects.get()
    response = client_as("rg_officer").post(url("card_request_reject", pk=request.pk), {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert CardRequest.objects.get().state == CardRequest.State.PENDING
    response = client_as("rg_officer").post(
        url("card_batch_new") + "?unit=KG-RG", {"requests": [request.pk], "issued_on": "2025-01-01"}
    )
    assert "No approved request under" in response.content.decode()  # not approved: not offered
    assert not CardPrintBatch.objects.exists()


def test_a_viewer_changes_nothing(client_as, batch):
    viewer = client_as("viewer")
    assert viewer.get(url("card_request_new")).status_code == 403
    assert viewer.post(url("card_batch_issue", pk=batch.pk)).status_code == 403
    assert CardPrintBatch.objects.get().state == CardPrintBatch.State.PREPARED


def test_another_provinces_cards_are_not_found(client_as, registry, batch):
    request = CardRequest.objects.first()
    outsider = client_as("outsider")
    for page in (
        url("card_request", pk=request.pk),
        url("card_batch", pk=batch.pk),
        url("card_batch_pdf", pk=batch.pk),
        url("card_batch_xlsx", pk=batch.pk),
    ):
        assert outsider.get(page).status_code == 404, page
    assert outsider.post(url("card_request_approve", pk=request.pk)).status_code == 404
    assert outsider.post(url("card_batch_issue", pk=batch.pk)).status_code == 404
    listed = (
        outsider.get(url("card_requests")).content.decode()
        + outsider.get(url("card_batches")).content.decode()
    )
    assert "Rạch Giá" not in listed and "Nguyễn Trung Trực" not in listed
    # The chair of KG-RG-01 sees its own request, not the sibling CĐCS's, and no batch of the upper level.
    chair = client_as("chair")
    sibling = CardRequest.objects.get(unit=registry.world.units["b"])
    assert chair.get(url("card_request", pk=sibling.pk)).status_code == 404
    assert chair.get(url("card_batch", pk=batch.pk)).status_code == 404


def test_the_printers_list_reads_back(client_as, registry, batch):
    response = client_as("officer").get(url("card_batch_xlsx", pk=batch.pk))
    assert response["Content-Disposition"].endswith(f'the-doan-vien-dot-{batch.pk}.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("STT", "Số thẻ", "Mã đoàn viên", "Họ và tên")
    body = {row[3]: row for row in rows[2:]}
    assert set(body) == {"Nguyễn Văn An", "'=Trần Thị Bình"}  # the formula-looking name escaped
    an = body["Nguyễn Văn An"]
    assert an[1:3] == (f"{registry.an.code}-01", registry.an.code)
    assert an[4] == "Công đoàn cơ sở Trường THPT Nguyễn Trung Trực"
    assert an[8].date() == timezone.localdate()
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=3) for cell in row[1:8])


def test_the_sheet_of_cards_is_a_pdf(client_as, batch):
    response = client_as("officer").get(url("card_batch_pdf", pk=batch.pk))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def printed(registry, users, members) -> CardPrintBatch:
    """A batch of the province printing new cards for ``members`` of KG-RG-01, asked by its chair."""
    request = cards.request_cards(
        user=users["chair"], unit=registry.world.units["a"], wishes=[CardWish(m, "new") for m in members]
    )
    cards.approve_request(request=request, user=users["rg_officer"])
    return cards.create_print_batch(
        user=users["officer"],
        unit=registry.world.units["kg"],
        requests=[request],
        issued_on=timezone.localdate(),
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext absent (Debian: poppler-utils)")
def test_the_cards_carry_the_vietnamese_text(client_as, registry, batch, tmp_path, users):
    # Eleven cards: ten on the first page, one on a second.
    unit = registry.world.units["a"]
    others = [
        admit(unit, f"Đặng Thị Hương {index}", gender="female", serial=20 + index) for index in range(11)
    ]
    second = printed(registry, users, others)
    for shown, names in (
        (batch, ["Nguyễn Văn An", "=Trần Thị Bình"]),
        (second, [m.full_name for m in others]),
    ):
        pdf = tmp_path / f"{shown.pk}.pdf"
        pdf.write_bytes(client_as("officer").get(url("card_batch_pdf", pk=shown.pk)).content)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        for expected in ("CÔNG ĐOÀN VIỆT NAM", "THẺ ĐOÀN VIÊN", "Công đoàn cơ sở Trường THPT", *names):
            assert expected.upper() in text.upper(), expected
        assert timezone.localdate().strftime("%d/%m/%Y") in text
    info = subprocess.run(["pdfinfo", str(tmp_path / f"{second.pk}.pdf")], capture_output=True, text=True)
    assert re.search(r"^Pages:\s+2$", info.stdout, re.MULTILINE), info.stdout


def test_the_overview_refuses_a_campaign_beginning_after_the_day_shown(client_as, registry):
    """Dates the wrong way round are named beside the field, not shown as 0 %; the unit chosen stays."""
    response = client_as("officer").get(
        url("cards"), {"unit": "KG-RG", "since": "2025-06-01", "at": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "after the day shown" in " ".join(response.context["form"].errors["since"])
    assert response.context["unit"] == registry.world.units["rg"]
    assert response.context["on"] == datetime.date(2025, 1, 1)


def test_a_member_who_moved_is_shown_left_out_of_the_old_request(client_as, registry, users):
    """The old CĐCS's request says the member, who moved once the cards were printed, is no longer one of its
    members; the member's page no longer shows that request as waiting."""
    an, units = registry.an, registry.world.units
    request = cards.request_cards(user=users["chair"], unit=units["a"], wishes=[CardWish(an, CardReason.NEW)])
    cards.approve_request(request=request, user=users["rg_officer"])
    batch = cards.create_print_batch(
        user=users["rg_officer"], unit=units["rg"], requests=[request], issued_on=timezone.localdate()
    )
    services.transfer_member(member=an, on=timezone.localdate(), to_unit=units["b"])
    cards.issue_batch(batch=batch, user=users["rg_officer"])  # printed, but not handed to them
    page = client_as("officer").get(url("card_request", pk=request.pk)).content.decode()
    assert "No longer a member of this grassroots union: no card from this request" in page
    member_page = client_as("officer").get(url("detail", code=an.code)).content.decode()
    assert "Card requested" not in member_page


def test_a_chair_asks_for_every_member_at_once(client_as, registry, users, settings):
    """The renewal campaign asks for every member: one box for all of them, as a CĐCS of thousands cannot
    tick (nor post: Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields) each of them."""
    unit = registry.world.units["a"]
    others = [admit(unit, f"Võ Thị Hồng {index}", gender="female", serial=50 + index) for index in range(3)]
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3  # a CĐCS bigger than what may be posted one by one
    chair = client_as("chair")
    assert (
        chair.post(
            url("card_request_new"), {"members": [m.pk for m in others], "reason": "renewal"}
        ).status_code
        == 400
    )
    response = chair.post(
        url("card_request_new"), {"everyone": "on", "reason": CardReason.RENEWAL, "card_type": "regular"}
    )
    request = CardRequest.objects.get()
    assert response.status_code == 302
    assert {item.member for item in request.items.all()} == {registry.an, *others}
    response = chair.post(url("card_request_new"), {"reason": CardReason.RENEWAL, "card_type": "regular"})
    assert response.status_code == 200 and CardRequest.objects.count() == 1
    assert "or tick every member" in " ".join(response.context["form"].errors["members"])


# ------------------------------------------------------------------------- a large sheet: a background job

needs_weasyprint = pytest.mark.skipif(
    importlib.util.find_spec("weasyprint") is None, reason="weasyprint absent"
)


@pytest.fixture
def sheet_jobs(settings, tmp_path, monkeypatch):
    """Every batch is large (more than one card); the test runs the jobs itself, as `congdoan worker`."""
    settings.MEDIA_ROOT, settings.CONGDOAN_JOBS = tmp_path, "worker"
    monkeypatch.setattr(downloads, "CARDS_INLINE_MAX", 1)


def sheet_jobs_made() -> int:
    return Job.objects.filter(kind=jobs.kind_of(downloads.card_sheet_job)).count()


@needs_weasyprint
def test_a_small_batchs_sheet_comes_at_once(client_as, batch):
    response = client_as("officer").get(url("card_batch_pdf", pk=batch.pk))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert sheet_jobs_made() == 0


@needs_weasyprint
def test_a_large_batchs_sheet_is_made_by_a_job_and_given_once_to_its_owner(client_as, batch, sheet_jobs):
    officer = client_as("officer")
    response = officer.get(url("card_batch_pdf", pk=batch.pk))
    assert response.status_code == 302
    job_page = response.url
    page = officer.get(job_page).content.decode()
    assert "hx-get" in page and f"Cards of print batch No. {batch.pk} (PDF)" in page
    assert officer.get(url("card_batch_pdf", pk=batch.pk)).url == job_page  # a second click: the same job
    pk = int(job_page.rstrip("/").rsplit("/", 1)[1])
    assert officer.get(url("export_file", pk=pk)).status_code == 404  # not ready yet
    assert jobs.work(once=True) == 1
    assert "The sheet of 2 cards is ready." in officer.get(job_page).content.decode()
    # Nobody else sees the job or gets the file, not even an administrator of the same unit.
    for other in ("admin", "rg_officer", "outsider"):
        assert client_as(other).get(job_page).status_code == 404
        assert client_as(other).get(url("export_file", pk=pk)).status_code == 404
    given = officer.get(url("export_file", pk=pk))
    assert given["Content-Type"] == "application/pdf"
    assert f'filename="{card_exports.file_stem(batch)}.pdf"' in given["Content-Disposition"]
    assert b"".join(given.streaming_content).startswith(b"%PDF")
    assert officer.get(url("export_file", pk=pk)).status_code == 404  # deleted once given
    assert not list((downloads.export_path(pk, "pdf")).parent.iterdir())


def test_a_cancelled_batch_has_no_sheet_nor_job(client_as, batch, users, sheet_jobs):
    cards.cancel_batch(batch=batch, user=users["rg_officer"], reason="Sai ngày cấp")
    assert client_as("officer").get(url("card_batch_pdf", pk=batch.pk)).status_code == 404
    assert sheet_jobs_made() == 0


def test_a_batch_cancelled_while_its_sheet_waits_ends_the_job_with_the_reason(
    client_as, batch, users, sheet_jobs
):
    officer = client_as("officer")
    job_page = officer.get(url("card_batch_pdf", pk=batch.pk)).url
    cards.cancel_batch(batch=batch, user=users["rg_officer"], reason="Sai ngày cấp")
    jobs.work(once=True)
    job = Job.objects.get(kind=jobs.kind_of(downloads.card_sheet_job))
    assert (job.state, job.error) == (Job.State.FAILED, str(card_exports.CANCELLED))
    assert "no cards to print" in officer.get(job_page).content.decode()


@needs_weasyprint
def test_the_api_answers_a_large_batch_with_its_job(batch, users, sheet_jobs):
    officer = client_for(users["officer"])
    response = officer.get(reverse("members-api:card-batch-pdf", kwargs={"pk": batch.pk}))
    assert response.status_code == 202 and response.json()["state"] == "queued"
    job_url = response["Location"]
    assert job_url == reverse("members-api:member-job-detail", kwargs={"pk": response.json()["id"]})
    jobs.work(once=True)
    assert officer.get(job_url).json()["result"]["rows"] == 2
    assert client_for(users["admin"]).get(f"{job_url}file/").status_code == 404
    given = officer.get(f"{job_url}file/")
    assert given.status_code == 200 and b"".join(given.streaming_content).startswith(b"%PDF")
    assert officer.get(f"{job_url}file/").status_code == 404
