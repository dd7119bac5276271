"""Duplicates: candidates by weighted rules in the user's scope; a merge (previewed, then confirmed) keeps
both histories: the events of both records on the kept one, the membership worked out again from all of
them, the other record marked merged with a pointer."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from congdoan.audit.models import PersonalDataAccess
from congdoan.members import selectors, services
from congdoan.members.models import EventKind, Member, Membership, Status
from tests.members.people import admit

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(small_tree, registry):
    """The same person entered twice: admitted in KG-RG-01 in 2019 (no ID number) and transferred out of the
    system in 2021; back in 2023 and admitted in KG-PQ-01 as if new."""
    first = services.admit_member(
        member=Member(
            full_name="Phạm Thị Hoa",
            gender="female",
            birth_date=D(1988, 9, 9),
            joined_on=D(2019, 6, 1),
            phone="0911222333",
        ),
        unit=small_tree["a"],
    )
    services.transfer_member(member=first, on=D(2021, 1, 1), to_outside="Công đoàn tỉnh Cà Mau")
    second = admit(
        small_tree["c"], "Phạm Thị  Hoa", gender="female", year=1988, serial=40, joined_on=D(2023, 3, 1)
    )
    Member.objects.filter(pk=second.pk).update(birth_date=D(1988, 9, 9))
    second.refresh_from_db()
    return first, second


def url(name: str, **kwargs) -> str:
    return reverse(f"members:{name}", kwargs=kwargs)


def client_for(registry, role: str) -> Client:
    client = Client()
    client.force_login(registry.world.users[role])
    return client


def test_candidates_are_scored_by_weighted_rules(twins, small_tree):
    first, second = twins
    pairs = selectors.duplicate_candidates(Member.objects.all())
    assert [(p.first, p.second) for p in pairs] == [(first, second)]
    assert pairs[0].score == 60 + 20  # same name and birth date (60), so same name and year (20)
    # The same phone alone (30) stays under the threshold; with the same name and year it reaches it.
    lone = admit(small_tree["b"], "Võ Văn Tư", serial=50)
    Member.objects.filter(pk=lone.pk).update(phone=first.phone)
    assert len(selectors.duplicate_candidates(Member.objects.all())) == 1
    again = admit(small_tree["b"], "Phạm Thị Hoa", gender="female", year=1988, serial=51)
    Member.objects.filter(pk=again.pk).update(phone=first.phone, birth_date=D(1988, 1, 2))
    scores = {
        (p.first.pk, p.second.pk): p.score for p in selectors.duplicate_candidates(Member.objects.all())
    }
    assert scores[(first.pk, again.pk)] == 30 + 20


def test_the_duplicates_screen_is_scoped(twins, registry):
    first, second = twins
    page = client_for(registry, "officer").get(url("duplicates")).content.decode()
    assert first.code in page and second.code in page
    assert "1988 · " in page and "1.988" not in page  # a year, not a number with a thousands separator
    assert first.code not in client_for(registry, "outsider").get(url("duplicates")).content.decode()
    chair = client_for(registry, "chair").get(url("duplicates")).content.decode()
    assert second.code not in chair  # KG-PQ-01 is outside the chair's union
    assert (
        first.code
        not in client_for(registry, "officer").get(url("duplicates"), {"unit": "KG-RG-02"}).content.decode()
    )


def test_merging_keeps_both_histories(twins, registry):
    first, second = twins
    client = client_for(registry, "officer")
    merge = url("merge", code=second.code, other_code=first.code)
    client.get(merge)
    assert PersonalDataAccess.objects.filter(object_id__in=[first.pk, second.pk]).count() == 2
    preview = client.post(merge, {"take": ["phone"], "preview": "1"})
    assert preview.context["preview"]["member"].phone == first.phone
    second.refresh_from_db()
    assert second.phone != first.phone and second.events.count() == 1  # the preview changed nothing
    done = client.post(merge, {"take": ["phone"], "confirm": "1"})
    assert done.status_code == 302 and done.url == url("detail", code=second.code)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.merged_into, first.id_number) == (Status.MERGED, second, None)
    assert second.phone == "0911222333"
    kinds = list(second.events.order_by("on", "id").values_list("kind", "unit__code"))
    assert kinds == [
        (EventKind.ADMIT, "KG-RG-01"),
        (EventKind.TRANSFER_OUT, "KG-RG-01"),
        (EventKind.ADMIT, "KG-PQ-01"),
    ]
    assert list(
        Membership.objects.filter(member=second).values_list("unit__code", "state", "valid_from")
    ) == [
        ("KG-RG-01", Status.ACTIVE, D(2019, 6, 1)),
        ("KG-RG-01", Status.TRANSFERRED_OUT, D(2021, 1, 1)),
        ("KG-PQ-01", Status.ACTIVE, D(2023, 3, 1)),
    ]
    assert not Membership.objects.filter(member=first).exists()
    # The merged record points to the kept one and is no longer listed or changed.
    page = client.get(url("detail", code=first.code)).content.decode()
    assert url("detail", code=second.code) in page
    assert client.get(url("edit", code=first.code)).status_code == 403
    assert first.code not in client.get(url("list"), {"status": "all"}).content.decode()
    assert not selectors.duplicate_candidates(Member.objects.all())


def test_merge_refusals(twins, registry, small_tree):
    first, second = twins
    with pytest.raises(ValidationError):
        services.merge_members(keep=first, other=first)
    with pytest.raises(ValidationError) as refused:
        services.merge_members(keep=first, other=second, take=["code"])
    assert "take" in refused.value.message_dict
    services.merge_members(keep=second, other=first)
    with pytest.raises(ValidationError) as again:
        services.merge_members(keep=second, other=first)
    assert "other" in again.value.message_dict
    # A record beside itself is no comparison: no page, and no opening of it recorded.
    officer = client_for(registry, "officer")
    accesses = PersonalDataAccess.objects.count()
    assert officer.get(url("merge", code=first.code, other_code=first.code)).status_code == 404
    assert PersonalDataAccess.objects.count() == accesses
    # Outside the scope, or for a viewer, there is no merge page.
    assert (
        client_for(registry, "chair")
        .get(url("merge", code=registry.an.code, other_code=second.code))
        .status_code
        == 404
    )
    assert (
        client_for(registry, "viewer")
        .get(url("merge", code=registry.an.code, other_code=registry.binh.code))
        .status_code
        == 403
    )


def test_a_merge_takes_the_other_id_number_when_the_kept_record_has_none(twins):
    first, second = twins
    kept = services.merge_members(keep=first, other=second)
    assert kept.id_number == second.id_number.strip() and kept.status == Status.ACTIVE
    assert kept.unit.code == "KG-PQ-01"  # the latest interval now comes from the other record's admission


def test_a_scope_too_large_to_compare_asks_for_a_unit(twins, registry, monkeypatch):
    monkeypatch.setattr(selectors, "DUPLICATES_MAX_MEMBERS", 3)
    client = client_for(registry, "officer")
    page = client.get(url("duplicates"))
    assert page.context["too_many"] == 3 and page.context["total"] == 0
    narrowed = client.get(url("duplicates"), {"unit": "KG-RG"})
    assert not narrowed.context["too_many"]
    api = APIClient()
    api.force_authenticate(registry.world.users["officer"])
    assert "unit" in api.get("/api/members/duplicates/").json()
