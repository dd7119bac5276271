"""What the import pages add to the engine's steps so that an officer finds the way through them: counts on
the tabs and links from the summary to the rows, Excel's row numbers as Excel writes them, back to the row
just decided, a refused decision for many rows said in a few lines, earlier uploads of the same file, the
way on after the commit, the template's unit chosen from the picker, and on each duplicate only the
decisions that will be taken, with why the others will not. The messages are read in English, the source
texts (users get them in Vietnamese)."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from congdoan.core import jobs
from congdoan.members.imports import services
from congdoan.members.imports.models import ImportBatch
from congdoan.members.models import Member
from tests.members import listfiles
from tests.members.people import Registry

pytestmark = pytest.mark.django_db
FIRST_ROW = 5  # two title rows, a blank one and the header come first in listfiles.xlsx


@pytest.fixture
def officer(officer) -> Client:
    """The officer's browser of conftest, in English."""
    officer.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return officer


@pytest.fixture
def read(upload):
    """``read(client, rows)``: ``upload`` the list and read it, as the background job does."""

    def upload_and_read(client: Client, rows, **options) -> ImportBatch:
        batch = upload(client, rows, **options)
        assert jobs.work(once=True) == 1
        return batch

    return upload_and_read


def url(name: str, **kwargs) -> str:
    return reverse(f"members:{name}", kwargs=kwargs)


def twice(rows: list[list], copies: int) -> list[list]:
    """The first row repeated ``copies`` times at the end: the same person, the same ID number."""
    return rows + [[len(rows) + n + 1, *rows[0][1:]] for n in range(copies)]


def test_the_tabs_count_their_rows_and_the_summary_leads_to_them(officer, registry, read):
    rows = twice(listfiles.people(1200), 1)
    rows[3][5] = "12345"
    batch = read(officer, rows)
    page = officer.get(url("import", pk=batch.pk)).content.decode()
    assert 'href="?rows=error#rows"' in page and 'href="?rows=duplicate#rows"' in page
    # Numbers are written the Vietnamese way in either language.
    assert "Errors (1)" in page and "Possible duplicates (1)" in page and "All rows (1.201)" in page
    assert 'aria-current="page">All rows' in page
    # Row numbers as Excel shows them, without a thousands separator (the page is in Vietnamese too).
    last = FIRST_ROW + 1200
    vietnamese = Client()
    vietnamese.force_login(registry.world.users["officer"])
    duplicates = vietnamese.get(url("import", pk=batch.pk), {"rows": "duplicate"}).content.decode()
    assert f'id="row-{last}"' in duplicates and f'name="rows" value="{last}"' in duplicates
    assert f">{last}</td>" in duplicates and "1.205" not in duplicates


def test_a_decision_returns_to_its_row_on_its_page(officer, registry, read):
    batch = read(officer, twice(listfiles.people(2), 1))
    number = FIRST_ROW + 2
    response = officer.post(
        url("import_decide", pk=batch.pk), {"rows": [number], "decision": "skip", "page": "2"}
    )
    assert response.url == f"{url('import', pk=batch.pk)}?rows=duplicate&page=2#row-{number}"
    page = officer.get(url("import", pk=batch.pk), {"rows": "duplicate"}).content.decode()
    assert 'value="skip" class="button small primary" aria-pressed="true"' in page
    every = officer.post(url("import_decide", pk=batch.pk), {"all_undecided": "on", "decision": "skip"})
    assert every.url == f"{url('import', pk=batch.pk)}?rows=duplicate"  # nothing left undecided to go to


def test_a_refused_decision_for_many_rows_is_said_in_a_few_lines(officer, registry, read):
    batch = read(officer, twice(listfiles.people(1), 7))
    response = officer.post(
        url("import_decide", pk=batch.pk), {"all_undecided": "on", "decision": "create"}, follow=True
    )
    said = [str(message) for message in response.context["messages"]]
    assert said[0] == "No decision was recorded: 7 rows cannot take it; decide them one by one."
    assert len(said) == 1 + 5 + 1 and said[-1] == "… and 2 more rows."
    assert said[1].startswith(f"Row {FIRST_ROW + 1}: two people cannot share the ID number")
    assert not batch.rows.exclude(decision="").exists()  # refused whole: nothing decided
    assert response.redirect_chain[-1][0].endswith("?rows=duplicate")  # at the top, where the messages are


def test_the_same_file_uploaded_again_names_the_earlier_uploads(officer, registry, read, tmp_path):
    rows = listfiles.xlsx(tmp_path / "danh-sach.xlsx", listfiles.people(3))  # the same bytes each time
    discarded = read(officer, rows)
    officer.post(url("import_discard", pk=discarded.pk))
    first = read(officer, rows)
    other = read(officer, listfiles.people(2, seed=8), name="khac.xlsx")
    again = read(officer, rows)
    context = officer.get(url("import", pk=again.pk)).context
    assert context["same_file"] == [first]  # not the discarded one, nor another file
    page = officer.get(url("import", pk=again.pk)).content.decode()
    assert f'href="{url("import", pk=first.pk)}"' in page and "so that no list is imported twice" in page
    assert officer.get(url("import", pk=other.pk)).context["same_file"] == []
    assert officer.get(url("import", pk=first.pk)).context["same_file"] == []  # only earlier uploads


def test_after_the_commit_the_page_leads_on(officer, registry, read):
    rows = twice(listfiles.people(3), 1)
    rows[1][5] = "12345"
    batch = read(officer, rows)
    officer.post(url("import_decide", pk=batch.pk), {"all_undecided": "on", "decision": "skip"})
    officer.post(url("import_commit", pk=batch.pk))
    assert jobs.work(once=True) == 1
    page = officer.get(url("import", pk=batch.pk)).content.decode()
    assert f'href="{url("list")}?unit=KG-RG-01"' in page and f'href="{url("imports")}"' in page
    assert f'<a href="{url("import_errors", pk=batch.pk)}"><strong>2</strong> not imported' in page
    report = officer.get(url("import_errors", pk=batch.pk))
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert sheet.max_row - 2 == 2  # the title and the headers, then the two rows the page counted
    assert Member.objects.filter(unit__code="KG-RG-01").count() == 1 + 2


def test_the_progress_page_says_whether_it_reads_or_writes(officer, registry, tmp_path):
    path = listfiles.xlsx(tmp_path / "danh-sach.xlsx", listfiles.people(2))
    file = SimpleUploadedFile("danh-sach.xlsx", path.read_bytes())
    response = officer.post(url("imports"), {"file": file, "unit": "KG-RG-01", "mode": "add"})
    assert "nothing is written yet" in officer.get(response.url).content.decode()
    jobs.work(once=True)
    officer.post(f"{response.url}commit/")
    assert "Writing the checked rows into the registry" in officer.get(response.url).content.decode()


def test_the_template_is_for_a_unit_picked_by_name(officer, registry):
    page = officer.get(url("imports")).content.decode()
    assert 'id="template_unit"' in page and 'data-name="unit"' in page and 'id="id_unit"' in page
    response = officer.get(url("import_template"), {"unit": "KG-RG", "mode": "add"})
    headers = next(
        load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Danh sách đoàn viên"].iter_rows(
            min_row=3, max_row=3, values_only=True
        )
    )
    assert any(header and header.startswith("Mã CĐCS") for header in headers)  # an upper unit's list


def test_a_refused_upload_asks_for_the_file_again(officer, registry):
    response = officer.post(url("imports"), {"file": SimpleUploadedFile("a.xlsx", b"PK"), "mode": "add"})
    assert "unit" in response.context["form"].errors
    assert "Choose the file again" in response.content.decode()
    assert "Choose the file again" not in officer.get(url("imports")).content.decode()


def test_discarding_from_the_page_sends_the_whole_page_on(officer, registry, read):
    batch = read(officer, listfiles.people(2))
    assert "hx-confirm" in officer.get(url("import", pk=batch.pk)).content.decode()
    response = officer.post(url("import_discard", pk=batch.pk), headers={"hx-request": "true"})
    assert response["HX-Redirect"] == url("imports")
    committed = read(officer, listfiles.people(2, seed=8), name="khac.xlsx")
    officer.post(url("import_commit", pk=committed.pk))
    jobs.work(once=True)
    refused = officer.post(url("import_discard", pk=committed.pk), headers={"hx-request": "true"})
    assert refused["HX-Redirect"] == url("import", pk=committed.pk)  # where the page says why
    page = officer.get(url("import", pk=committed.pk)).content.decode()
    assert "it cannot be discarded" in page and "hx-confirm" not in page


def test_a_file_over_the_size_limit_is_refused_on_the_form_and_the_api(officer, registry, settings):
    settings.CONGDOAN_IMPORT_MAX_BYTES = 1024
    big = b"Ho va ten\n" + b"x" * 2048
    page = officer.post(
        url("imports"), {"file": SimpleUploadedFile("big.csv", big), "unit": "KG-RG-01", "mode": "add"}
    )
    assert "file" in page.context["form"].errors and not ImportBatch.objects.exists()
    upload = {"file": SimpleUploadedFile("big.csv", big), "unit": "KG-RG-01", "mode": "add"}
    api = officer.post("/api/member-imports/", upload)
    assert api.status_code == 400 and "file" in api.json() and not ImportBatch.objects.exists()


def test_a_refused_file_says_why_and_leads_back_to_the_upload(officer, registry):
    file = SimpleUploadedFile("hong.xlsx", b"not a workbook at all")
    response = officer.post(url("imports"), {"file": file, "unit": "KG-RG-01", "mode": "add"})
    jobs.work(once=True)
    page = officer.get(response.url)
    batch, shown = page.context["batch"], page.content.decode()
    assert batch.state == "refused" and batch.file_error in shown
    assert f'href="{url("imports")}">Upload a corrected list' in shown


# ------------------------------------------------------------------------- the decisions a duplicate offers


def as_listed(member: Member, stt: int, **changed) -> list:
    """A list's row (listfiles.HEADERS) for ``member`` as the registry has it, with ``changed`` cells."""
    cells = {
        "name": member.full_name,
        "id_number": member.id_number,
        "position": "Chủ tịch",  # the registry has "Đoàn viên": the row is not merely the same again
        **changed,
    }
    gender = "Nữ" if member.gender == "female" else "Nam"
    return [
        stt,
        cells["name"],
        member.birth_date,
        gender,
        "Kinh",
        cells["id_number"],
        member.joined_on,
        cells["position"],
    ]


def duplicates_of_each_kind(registry: Registry) -> tuple[list[list], dict[int, set[str]]]:
    """A list for KG-RG-01 with a possible duplicate of each kind, and the decisions each of them offers,
    by Excel row number."""
    newcomer = listfiles.people(1, seed=5)[0]
    rows = [
        as_listed(registry.an, 1, name="Nguyễn Văn Anh"),  # An's ID number, the name mistyped
        as_listed(registry.binh, 2),  # Bình, of KG-RG-02: outside the list's unit
        as_listed(registry.an, 3, id_number=listfiles.cccd(1990, "male", 50)),  # a namesake of An
        [4, *newcomer[1:]],
        [5, *newcomer[1:7], "Chủ tịch"],  # the newcomer again
    ]
    offered = {
        FIRST_ROW: {"skip", "update"},  # two people cannot share An's ID number
        FIRST_ROW + 1: {"skip"},  # nor Bình's; and Bình is not the list's unit's to update
        FIRST_ROW + 2: {"skip", "create", "update"},
        FIRST_ROW + 4: {"skip"},  # the newcomer's ID number is row 8's; no registry member to update
    }
    return rows, offered


def decision_buttons(page: str, number: int) -> tuple[set[str], str]:
    """The decisions a row of the page offers, and the row's text."""
    row = re.search(rf'<tr id="row-{number}">(.*?)</tr>', page, re.S).group(1)
    return set(re.findall(r'name="decision" value="(\w+)"', row)), row


def test_a_duplicate_offers_only_the_decisions_that_will_be_taken(officer, registry, read):
    rows, offered = duplicates_of_each_kind(registry)
    batch = read(officer, rows)
    page = officer.get(url("import", pk=batch.pk), {"rows": "duplicate"}).content.decode()
    for number, decisions in offered.items():
        buttons, row = decision_buttons(page, number)
        assert buttons == decisions, number
        assert row.count('class="hint refused-decision"') == 3 - len(decisions)
    _buttons, binh = decision_buttons(page, FIRST_ROW + 1)
    assert (
        f"“Add as a different person” is not possible: two people cannot share the ID number "
        f"{registry.binh.id_number}." in binh
    )
    assert "“Same person: update the registry with this row” is not possible: there is no member" in binh
    # What is offered is what the decision takes, and what is not is refused with the reason shown.
    batch.refresh_from_db()  # read by the job
    allowed = services.allowed_decisions(batch=batch, rows=batch.rows.select_related("member__unit"))
    for row in batch.rows.filter(status="duplicate"):
        for decision, why in allowed[row.pk].items():
            try:
                with transaction.atomic():
                    services.decide(batch=batch, rows=[row.row_number], decision=decision)
                    transaction.set_rollback(True)
            except ValidationError as refusal:
                assert refusal.messages == [f"Row {row.row_number}: {why}"]
            else:
                assert why is None, (row.row_number, decision)
    # The bulk decision still summarises the rows that cannot take it.
    response = officer.post(
        url("import_decide", pk=batch.pk), {"all_undecided": "on", "decision": "create"}, follow=True
    )
    said = [str(message) for message in response.context["messages"]]
    assert said[0] == "No decision was recorded: 3 rows cannot take it; decide them one by one."


def test_a_committed_import_offers_no_decision(officer, registry, read):
    rows, _offered = duplicates_of_each_kind(registry)
    batch = read(officer, rows)
    officer.post(url("import_commit", pk=batch.pk), {"skip_undecided": "1"})
    assert jobs.work(once=True) == 1
    page = officer.get(url("import", pk=batch.pk), {"rows": "duplicate"}).content.decode()
    assert 'name="decision"' not in page and "is not possible" not in page
    batch.refresh_from_db()
    closed = services.allowed_decisions(batch=batch, rows=batch.rows.all())
    assert {why for reasons in closed.values() for why in reasons.values()} == {
        "Decisions are taken on a previewed import that is not yet committed."
    }


def test_the_decisions_of_a_page_of_duplicates_cost_the_same_queries_for_2_or_40(officer, registry, read):
    """A page of ~50 duplicates does not ask the database about each row."""

    def queries(repeats: int) -> int:
        people = listfiles.people(repeats, seed=repeats)
        again = [[len(people) + n + 1, *person[1:]] for n, person in enumerate(people)]
        listed = [as_listed(registry.an, 0, name="Nguyễn Văn Anh"), as_listed(registry.binh, 0)]
        batch = read(officer, [*people, *again, *listed])
        assert batch.rows.filter(status="duplicate").count() == repeats + 2
        with CaptureQueriesContext(connection) as captured:
            page = officer.get(url("import", pk=batch.pk), {"rows": "duplicate"})
        assert len(page.context["page"].rows) == repeats + 2
        return len(captured)

    assert queries(2) == queries(40)
