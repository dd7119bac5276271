"""The API's mergers and dissolutions of grassroots unions settle their members as the pages do."""

from congdoan.members.models import Member, Status
from tests.api.test_units import decision, url
from tests.members.people import admit
from tests.mixins import client_for


def test_dissolve_moves_the_members_or_ends_them(world, small_tree):
    an = admit(small_tree["a"], "Nguyễn Văn An", serial=1)
    binh = admit(small_tree["b"], "Trần Thị Bình", gender="female", serial=2)
    officer = client_for(world.users["officer"])
    body = {"decision": decision(), "effective_on": "2025-07-01"}
    moved = officer.post(url("dissolve", "KG-RG-01"), {**body, "members_to": "KG-PQ-01"}, format="json")
    assert moved.status_code == 201, moved.content
    assert Member.objects.get(pk=an.pk).unit.code == "KG-PQ-01"
    ended = officer.post(
        url("dissolve", "KG-RG-02"), {**body, "decision": decision("69/QĐ-TLĐ")}, format="json"
    )
    assert ended.status_code == 201, ended.content
    assert Member.objects.get(pk=binh.pk).status == Status.ENDED_BY_DISSOLUTION


def test_dissolve_refuses_a_destination_that_is_no_grassroots_union(world, small_tree):
    admit(small_tree["a"], "Nguyễn Văn An", serial=1)
    body = {"decision": decision(), "effective_on": "2025-07-01", "members_to": "KG-PQ"}
    response = client_for(world.users["officer"]).post(url("dissolve", "KG-RG-01"), body, format="json")
    assert response.status_code == 400 and "members_to" in response.json()
    assert small_tree["a"].__class__.objects.get(code="KG-RG-01").dissolved_on is None


def test_merge_takes_the_members_along(world, small_tree):
    admit(small_tree["a"], "Nguyễn Văn An", serial=1)
    admit(small_tree["b"], "Trần Thị Bình", gender="female", serial=2)
    body = {"decision": decision(), "effective_on": "2025-07-01", "sources": ["KG-RG-02"], "into": "KG-PQ-01"}
    response = client_for(world.users["officer"]).post(url("merge", "KG-RG-01"), body, format="json")
    assert response.status_code == 201, response.content
    assert set(Member.objects.values_list("unit__code", "status")) == {("KG-PQ-01", Status.ACTIVE)}
