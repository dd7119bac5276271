"""The member cards API: the workflow end to end, refusals as 400 keyed by field (403 for a role or level
that may not), another province's requests, batches and cards not found, the coverage figures."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from congdoan.accounts.models import Role
from congdoan.members import services
from congdoan.members.models import CardRequest
from tests.mixins import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(registry):
    users = dict(registry.world.users)
    users["rg_officer"] = make_user("kg-rg-officer", registry.world.units["rg"], Role.OFFICER)
    return users


def api(users, role):
    return client_for(users[role])


def route(name: str, **kwargs) -> str:
    return reverse(f"members-api:{name}", kwargs=kwargs)


def ask(users, member, role="chair", unit="KG-RG-01", reason="new"):
    return api(users, role).post(
        route("card-request-list"),
        {"unit": unit, "members": [{"member": member.code, "reason": reason}]},
        format="json",
    )


def test_the_workflow_through_the_api(registry, users):
    an = registry.an
    created = ask(users, an)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["unit"], body["requested_by"]) == ("pending", "KG-RG-01", "kg-rg-01-chair")
    assert body["items"] == [
        {
            "member": an.code,
            "full_name": "Nguyễn Văn An",
            "reason": "new",
            "card_type": "regular",
            "batch": None,
            "card": None,
            "stands": True,
        }
    ]
    pk = body["id"]
    refused = api(users, "chair").post(route("card-request-approve", pk=pk))
    assert refused.status_code == 400 and "non_field_errors" in refused.json()
    approved = api(users, "rg_officer").post(route("card-request-approve", pk=pk))
    assert approved.status_code == 200 and approved.json()["state"] == "approved"

    batch = api(users, "officer").post(
        route("card-batch-list"),
        {"unit": "KG-RG", "requests": [pk], "issued_on": "01/03/2025"},
        format="json",
    )
    assert batch.status_code == 201, batch.json()
    assert batch.json()["cards"][0]["number"] == f"{an.code}-01"
    batch_id = batch.json()["id"]
    workbook = load_workbook(
        io.BytesIO(
            b"".join(api(users, "officer").get(route("card-batch-xlsx", pk=batch_id)).streaming_content)
        )
    )
    assert workbook.active.cell(row=3, column=4).value == "Nguyễn Văn An"
    assert api(users, "officer").get(route("card-batch-pdf", pk=batch_id)).content.startswith(b"%PDF")
    issued = api(users, "officer").post(route("card-batch-issue", pk=batch_id))
    assert issued.status_code == 200 and issued.json()["state"] == "issued"

    history = api(users, "chair").get(route("member-card-list"), {"member": an.code}).json()["results"]
    assert [(c["number"], c["issued_on"], c["replaces"]) for c in history] == [
        (f"{an.code}-01", "2025-03-01", None)
    ]
    assert (
        api(users, "chair").get(route("member-detail", code=an.code)).json()["card_issued_on"] == "2025-03-01"
    )


def test_refusals_name_their_field(registry, users):
    # A member of the sibling CĐCS: out of the chair's scope, so not found at all.
    response = ask(users, registry.binh)
    assert response.status_code == 400 and "members" in response.json()
    # A member of the unit's province but not of the CĐCS named: refused by the service.
    response = ask(users, registry.binh, role="officer")
    assert response.status_code == 400 and "Trần Thị Bình" in str(response.json()["members"])
    assert ask(users, registry.an).status_code == 201
    response = ask(users, registry.an, reason="renewal")
    assert response.status_code == 400 and "members" in response.json()  # one waiting already
    pk = CardRequest.objects.get().pk
    response = api(users, "rg_officer").post(route("card-request-reject", pk=pk), {}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    response = api(users, "officer").post(
        route("card-batch-list"), {"unit": "KG", "requests": [pk]}, format="json"
    )
    assert response.status_code == 400 and "requests" in response.json()  # not approved
    rejected = api(users, "rg_officer").post(
        route("card-request-reject", pk=pk), {"reason": "Sai ảnh"}, format="json"
    )
    assert rejected.json()["state"] == "rejected" and rejected.json()["rejection_reason"] == "Sai ảnh"


def test_roles_and_scope(registry, users):
    pk = ask(users, registry.an).json()["id"]
    assert ask(users, registry.an, role="viewer", reason="lost").status_code == 403
    assert api(users, "viewer").post(route("card-request-approve", pk=pk)).status_code == 403
    outsider = api(users, "outsider")
    assert outsider.get(route("card-request-detail", pk=pk)).status_code == 404
    assert outsider.post(route("card-request-approve", pk=pk)).status_code == 404
    assert outsider.get(route("card-request-list")).json()["results"] == []
    assert CardRequest.objects.get().state == CardRequest.State.PENDING
    # An officer of An Giang cannot name Kiên Giang's members or units.
    response = outsider.post(
        route("card-request-list"),
        {"unit": "KG-RG-01", "members": [{"member": registry.an.code, "reason": "lost"}]},
        format="json",
    )
    assert response.status_code == 400 and CardRequest.objects.count() == 1
    assert outsider.get(route("card-coverage-list"), {"unit": "KG"}).status_code == 404


def test_the_request_list_filters_like_the_page(registry, users):
    ask(users, registry.an)
    client = api(users, "officer")
    assert len(client.get(route("card-request-list"), {"state": "pending"}).json()["results"]) == 1
    assert client.get(route("card-request-list"), {"state": "approved"}).json()["results"] == []
    assert len(client.get(route("card-request-list"), {"unit": "KG-RG"}).json()["results"]) == 1
    assert client.get(route("card-request-list"), {"unit": "KG-PQ"}).json()["results"] == []
    assert client.get(route("card-request-list"), {"unit": "AG"}).json()["results"] == []


def test_coverage_per_unit(registry, users):
    client = api(users, "officer")
    rows = client.get(route("card-coverage-list"), {"unit": "KG", "since": "2024-01-01"}).json()
    assert [(row["unit"], row["with_card"], row["members"]) for row in rows] == [
        ("KG", 0, 2),
        ("KG-PQ", 0, 0),
        ("KG-RG", 0, 2),
    ]
    assert rows[0]["percent"] == 0 and rows[1]["percent"] is None
    assert client.get(route("card-coverage-list"), {"at": "hôm qua"}).status_code == 400
    today = timezone.localdate().isoformat()
    assert client.get(route("card-coverage-list"), {"at": today}).json()[0]["unit"] == "KG"


def test_coverage_refuses_a_campaign_beginning_after_the_day_shown(registry, users):
    response = api(users, "officer").get(
        route("card-coverage-list"), {"unit": "KG", "since": "2025-06-01", "at": "2025-01-01"}
    )
    assert response.status_code == 400 and "01/06/2025" in " ".join(response.json()["since"])


def test_coverage_of_a_past_day_counts_from_the_start_of_its_year(registry, users):
    """Asked for 31/12/2025 alone, the campaign is that year's, not this year's (which had not begun)."""
    registry.an.card_issued_on = datetime.date(2025, 3, 1)
    registry.an.save()
    rows = (
        api(users, "officer")
        .get(route("card-coverage-list"), {"unit": "KG-RG-01", "at": "2025-12-31"})
        .json()
    )
    assert [(row["unit"], row["with_card"], row["members"]) for row in rows] == [("KG-RG-01", 1, 1)]


def test_a_member_who_moved_is_shown_left_out_as_on_the_page(registry, users):
    pk = ask(users, registry.an).json()["id"]
    services.transfer_member(member=registry.an, on=timezone.localdate(), to_unit=registry.world.units["b"])
    [item] = api(users, "officer").get(route("card-request-detail", pk=pk)).json()["items"]
    assert item["stands"] is False


def test_a_member_code_with_a_null_character_is_refused(registry, users):
    """PostgreSQL cannot read a NUL in a query: the card history filter refuses it, as others do."""
    response = api(users, "officer").get(route("member-card-list"), {"member": "\x00"})
    assert response.status_code == 400 and "member" in response.json()


def test_a_code_with_a_null_character_is_refused_by_its_field(registry, users):
    """A unit or member named with a NUL: 400 on that field (PostgreSQL failed on the lookup with a 500)."""
    client = api(users, "officer")
    for body, field in (
        ({"unit": "KG-RG-01\x00", "members": [{"member": registry.an.code, "reason": "new"}]}, "unit"),
        ({"unit": "KG-RG-01", "members": [{"member": "\x00", "reason": "new"}]}, "members"),
    ):
        response = client.post(route("card-request-list"), body, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    response = client.post(route("card-batch-list"), {"unit": "KG\x00", "requests": [1]}, format="json")
    assert response.status_code == 400 and "unit" in response.json()
