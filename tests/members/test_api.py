"""Members API: the scope, filters and masking of the pages; the full personal data on its own recorded
endpoint; admission, corrections and lifecycle steps through the services with refusals keyed by field;
merge; events; exports by role; imports from upload to commit, each duplicate row with the decisions it
may take."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from congdoan.audit.models import PersonalDataAccess
from congdoan.core import jobs
from congdoan.members.models import EventKind, Member, Status
from tests.members import listfiles
from tests.members.people import admit
from tests.members.test_import_views import duplicates_of_each_kind

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def api(registry):
    def client(role: str) -> APIClient:
        api_client = APIClient()
        api_client.force_authenticate(registry.world.users[role])
        return api_client

    return client


def codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def test_the_list_is_scoped_masked_and_filtered_like_the_page(api, registry):
    body = api("officer").get("/api/members/").json()
    assert [row["full_name"] for row in body["results"]] == ["Nguyễn Văn An", "Trần Thị Bình"]
    an = body["results"][0]
    assert an["id_number"] == "*********001" and an["birth_year"] == 1990 and "birth_date" not in an
    assert registry.an.phone not in str(body)
    assert codes(api("chair").get("/api/members/")) == [registry.an.code]
    assert codes(api("outsider").get("/api/members/")) == [registry.cuong.code]
    assert codes(api("officer").get("/api/members/", {"q": "tran thi binh"})) == [registry.binh.code]
    assert codes(api("officer").get("/api/members/", {"sort": "-name"}))[0] == registry.binh.code
    assert api("officer").get("/api/members/", {"unit": "AG-LX-01"}).status_code == 400


def test_pages_without_a_count(api, registry):
    first = api("officer").get("/api/members/", {"limit": 1}).json()
    assert "count" not in first and first["previous"] is None and "offset=1" in first["next"]
    second = api("officer").get(first["next"]).json()
    assert [row["full_name"] for row in second["results"]] == ["Trần Thị Bình"] and second["next"] is None


def test_another_provinces_member_is_not_found(api, registry):
    client = api("officer")
    for path in ("", "personal/", "events/", "memberships/"):
        assert client.get(f"/api/members/{registry.cuong.code}/{path}").status_code == 404
    assert (
        client.post(
            f"/api/members/{registry.cuong.code}/end/", {"kind": "leave", "on": "2024-01-01"}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/members/{registry.cuong.code}/", {"phone": "0900000000"}, format="json"
        ).status_code
        == 404
    )
    registry.cuong.refresh_from_db()
    assert registry.cuong.status == Status.ACTIVE and registry.cuong.phone != "0900000000"


def test_personal_data_in_full_is_recorded_and_refused_to_viewers(api, registry):
    path = f"/api/members/{registry.an.code}/personal/"
    body = api("officer").get(path, {"reason": "Làm thẻ"}).json()
    assert (body["id_number"], body["birth_date"]) == (registry.an.id_number, "1990-03-04")
    access = PersonalDataAccess.objects.get()
    assert (access.user.username, access.reason, access.object_id) == (
        "kg-officer",
        "Làm thẻ",
        registry.an.pk,
    )
    assert api("viewer").get(path).status_code == 403
    assert api("chair").get(path).status_code == 200
    assert api("chair").get(f"/api/members/{registry.binh.code}/personal/").status_code == 404
    assert PersonalDataAccess.objects.count() == 2


def test_admit_through_the_service(api, registry):
    body = {
        "unit": "KG-RG-01",
        "full_name": "Hoàng Văn Nam",
        "gender": "male",
        "birth_date": "1992-01-02",
        "joined_on": "2024-04-01",
        "id_number": "091092000777",
        "decision_number": "3/QĐ",
    }
    response = api("chair").post("/api/members/", body, format="json")
    assert response.status_code == 201, response.json()
    member = Member.objects.get(code=response.json()["code"])
    assert member.events.get().kind == EventKind.ADMIT and response.json()["id_number"] == "*********777"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": "091192000777"}, "id_number"),  # the digit says female
        ({"joined_on": "2001-01-01"}, "joined_on"),  # aged 9
        ({"unit": "KG-RG"}, "unit"),  # not a grassroots union
        ({"unit": "AG-LX-01"}, "unit"),  # outside the scope
        ({"birth_date": None}, "birth_date"),
        ({"birth_date": None, "birth_year": 27000013}, "birth_year"),
    ],
)
def test_bad_admissions_are_refused_by_field(api, registry, changes, field):
    body = {
        "unit": "KG-RG-01",
        "full_name": "Hoàng Văn Nam",
        "gender": "male",
        "birth_date": "1992-01-02",
        "joined_on": "2024-04-01",
        **changes,
    }
    response = api("officer").post("/api/members/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert Member.objects.count() == 3


def test_corrections_and_lifecycle_steps(api, registry):
    client, code = api("officer"), registry.an.code
    assert client.patch(f"/api/members/{code}/", {"phone": "0977000111"}, format="json").status_code == 200
    registry.an.refresh_from_db()
    assert registry.an.phone == "0977000111"
    steps = [
        ("transfer", {"to_unit": "KG-RG-02", "on": "2021-01-01"}),
        ("suspend", {"on": "2022-01-01", "until": "2022-06-01"}),
        ("suspend", {"on": "2023-01-01"}),
        ("resume", {"on": "2023-02-01"}),
        ("end", {"kind": "expel", "on": "2024-01-01", "decision_number": "7/QĐ-KL"}),
        ("readmit", {"unit": "KG-RG-01", "on": "2025-01-02"}),
    ]
    for step, body in steps:
        response = client.post(f"/api/members/{code}/{step}/", body, format="json")
        assert response.status_code == 200, (step, response.json())
    assert response.json()["status"] == Status.ACTIVE and response.json()["unit"] == "KG-RG-01"
    events = client.get(f"/api/members/{code}/events/").json()
    assert [e["kind"] for e in events] == [
        "admit",
        "transfer_out",
        "transfer_in",
        "suspend",
        "suspend",
        "resume",
        "expel",
        "admit",
    ]
    intervals = client.get(f"/api/members/{code}/memberships/").json()
    assert [(i["unit"], i["state"]) for i in intervals][-2:] == [
        ("KG-RG-02", "expelled"),
        ("KG-RG-01", "active"),
    ]


def test_refused_steps_name_the_field(api, registry):
    client, code = api("officer"), registry.an.code
    refused = client.post(
        f"/api/members/{code}/suspend/", {"on": "2024-01-01", "until": "2023-01-01"}, format="json"
    )
    assert refused.status_code == 400 and "until" in refused.json()
    assert (
        "non_field_errors"
        in client.post(f"/api/members/{code}/resume/", {"on": "2024-01-01"}, format="json").json()
    )
    assert (
        "to_unit" in client.post(f"/api/members/{code}/transfer/", {"on": "2024-01-01"}, format="json").json()
    )
    assert (
        client.post(
            f"/api/members/{code}/end/", {"kind": "dissolution", "on": "2024-01-01"}, format="json"
        ).status_code
        == 400
    )
    assert (
        api("viewer").post(f"/api/members/{code}/suspend/", {"on": "2024-01-01"}, format="json").status_code
        == 403
    )
    assert registry.an.events.count() == 1


def test_merge_keeps_both_histories(api, small_tree, registry):
    twin = admit(small_tree["b"], "Nguyễn  Văn An", serial=9, joined_on=D(2022, 5, 5))
    Member.objects.filter(pk=twin.pk).update(id_number=None)
    duplicates = api("officer").get("/api/members/duplicates/").json()
    assert [(p["first"]["code"], p["second"]["code"]) for p in duplicates] == [(registry.an.code, twin.code)]
    response = api("officer").post(
        f"/api/members/{registry.an.code}/merge/", {"other": twin.code}, format="json"
    )
    assert response.status_code == 200
    twin.refresh_from_db()
    assert twin.status == Status.MERGED and twin.merged_into == registry.an
    assert registry.an.events.count() == 2
    blocked = api("officer").patch(f"/api/members/{twin.code}/", {"phone": "0900000001"}, format="json")
    assert blocked.status_code == 403
    foreign = api("officer").post(
        f"/api/members/{registry.an.code}/merge/", {"other": registry.cuong.code}, format="json"
    )
    assert foreign.status_code == 400 and registry.cuong.code in str(foreign.json())


def test_member_events_are_scoped(api, registry):
    kinds = {(e["member"], e["kind"]) for e in api("officer").get("/api/member-events/").json()["results"]}
    assert kinds == {(registry.an.code, "admit"), (registry.binh.code, "admit")}
    assert api("officer").get("/api/member-events/", {"member": registry.cuong.code}).json()["results"] == []


def test_exports_by_role(api, registry):
    masked = api("viewer").get("/api/members/export/", {"file_format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(masked.streaming_content).decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert registry.an.id_number not in str(rows)
    assert api("viewer").get("/api/members/export/", {"full": "true"}).status_code == 403
    full = api("officer").get("/api/members/export/", {"file_format": "json", "full": "true", "q": "an"})
    assert registry.an.id_number in b"".join(full.streaming_content).decode()
    assert PersonalDataAccess.objects.get().action == PersonalDataAccess.Action.EXPORT


def test_import_from_upload_to_commit(api, registry, settings, tmp_path):
    settings.MEDIA_ROOT, settings.CONGDOAN_JOBS = tmp_path, "worker"
    client = api("officer")
    rows = listfiles.people(3)
    rows[0][2] = "31/02/1990"  # no such day
    path = listfiles.xlsx(tmp_path / "ds.xlsx", rows)
    upload = SimpleUploadedFile("ds.xlsx", path.read_bytes())
    created = client.post(
        "/api/member-imports/", {"file": upload, "unit": "KG-RG-02", "mode": "add"}, format="multipart"
    )
    assert created.status_code == 201, created.json()
    batch = created.json()["id"]
    assert client.get(f"/api/member-imports/{batch}/job/").json()["state"] == "queued"
    jobs.work(once=True)
    assert client.get(f"/api/member-imports/{batch}/").json()["rows_error"] == 1
    errors = client.get(f"/api/member-imports/{batch}/rows/", {"status": "error"}).json()["results"]
    assert errors[0]["row_number"] == 5 and errors[0]["errors"][0]["column"]
    committed = client.post(f"/api/member-imports/{batch}/commit/", {}, format="json")
    assert committed.status_code == 202
    jobs.work(once=True)
    assert client.get(f"/api/member-imports/{batch}/").json()["created"] == 2
    report = client.get(f"/api/member-imports/{batch}/errors/")
    assert report.status_code == 200 and report["Content-Disposition"].startswith("attachment")
    assert client.get("/api/member-imports/template/", {"unit": "KG-RG-02"}).status_code == 200
    assert api("viewer").get(f"/api/member-imports/{batch}/").status_code == 403
    assert api("outsider").get(f"/api/member-imports/{batch}/").status_code == 404
    again = client.post(f"/api/member-imports/{batch}/commit/", {}, format="json")
    assert again.status_code == 400


def test_import_rows_say_which_decisions_each_duplicate_may_take(api, registry, settings, tmp_path):
    settings.MEDIA_ROOT, settings.CONGDOAN_JOBS = tmp_path, "worker"
    client = api("officer")
    rows, offered = duplicates_of_each_kind(registry)
    path = listfiles.xlsx(tmp_path / "ds.xlsx", rows)
    upload = SimpleUploadedFile("ds.xlsx", path.read_bytes())
    batch = client.post(
        "/api/member-imports/", {"file": upload, "unit": "KG-RG-01", "mode": "add"}, format="multipart"
    ).json()["id"]
    jobs.work(once=True)
    listed = client.get(f"/api/member-imports/{batch}/rows/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    allowed = {row["row_number"]: row["allowed_decisions"] for row in listed}
    assert {
        number: {decision for decision, why in reasons.items() if why is None}
        for number, reasons in allowed.items()
        if reasons is not None
    } == offered
    assert allowed[8] is None  # the newcomer's first row: new, no decision to take
    assert allowed[6]["create"] == f"two people cannot share the ID number {registry.binh.id_number}."
    refused = client.post(
        f"/api/member-imports/{batch}/decide/",
        {"rows": [6], "decision": "update"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400 and f"Row 6: {allowed[6]['update']}" in str(refused.json())
