"""Steps typed in late (issue 3 part 2): an event dated before events already recorded goes in at its date
when every later event still applies after it; otherwise it is refused naming the first one it breaks."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from congdoan.audit.models import ObjectChange
from congdoan.members import services
from congdoan.members.imports import services as import_services
from congdoan.members.models import EventKind, Member, MemberEvent, Membership, Status
from tests.factories import decision
from tests.members import listfiles, test_review_lifecycle
from tests.members.test_lifecycle import new_member
from tests.members.test_review_lifecycle import intervals

D = datetime.date


def standing_on(member, on) -> tuple[str, str] | None:
    interval = Membership.objects.filter(member=member, valid_from__lte=on).order_by("-valid_from").first()
    return (interval.unit.code, interval.state) if interval else None


def mirror(member) -> tuple[str, str]:
    member.refresh_from_db()
    return member.unit.code, member.status


@pytest.fixture
def moved(small_tree) -> Member:
    """Registered in KG-RG-01 on 01/01/2019 (its founding), transferred to KG-RG-02 on 05/03/2025."""
    member = services.admit_member(member=new_member(), unit=small_tree["a"])
    services.transfer_member(member=member, on=D(2025, 3, 5), to_unit=small_tree["b"])
    return member


def test_a_suspension_typed_in_after_a_later_transfer_goes_in_at_its_date(moved):
    services.suspend_member(member=moved, on=D(2022, 4, 1), until=D(2022, 10, 1), decision_number="3/QĐ")
    suspension = moved.events.get(kind=EventKind.SUSPEND)
    assert suspension.unit.code == "KG-RG-01"  # the union the member stood in then, not today's
    assert intervals(moved) == [
        ("KG-RG-01", Status.ACTIVE, D(2019, 1, 1), D(2022, 4, 1)),
        ("KG-RG-01", Status.SUSPENDED, D(2022, 4, 1), D(2022, 10, 1)),
        ("KG-RG-01", Status.ACTIVE, D(2022, 10, 1), D(2025, 3, 5)),
        ("KG-RG-02", Status.ACTIVE, D(2025, 3, 5), None),
    ]
    assert standing_on(moved, D(2022, 3, 31)) == ("KG-RG-01", Status.ACTIVE)
    assert standing_on(moved, D(2022, 6, 1)) == ("KG-RG-01", Status.SUSPENDED)
    assert standing_on(moved, D(2025, 3, 5)) == ("KG-RG-02", Status.ACTIVE)
    assert mirror(moved) == ("KG-RG-02", Status.ACTIVE)
    assert ObjectChange.objects.for_object(suspension).filter(action="create").exists()


def test_a_suspension_without_end_before_a_transfer_is_ended_by_it(moved):
    """A suspended member may be transferred: the new union takes them in active."""
    services.suspend_member(member=moved, on=D(2024, 1, 1))
    assert standing_on(moved, D(2024, 6, 1)) == ("KG-RG-01", Status.SUSPENDED)
    assert standing_on(moved, D(2025, 6, 1)) == ("KG-RG-02", Status.ACTIVE)
    assert mirror(moved) == ("KG-RG-02", Status.ACTIVE)


def test_a_leaving_typed_in_before_a_later_transfer_is_refused_naming_the_transfer(moved, small_tree):
    before = intervals(moved), moved.events.count(), ObjectChange.objects.count()
    with pytest.raises(ValidationError) as error:
        services.end_membership(member=moved, kind=EventKind.LEAVE, on=D(2024, 6, 1))
    (message,) = error.value.message_dict["on"]
    assert str(EventKind.TRANSFER_OUT.label) in message and "05/03/2025" in message
    with pytest.raises(ValidationError) as error:  # a transfer elsewhere breaks it as well
        services.transfer_member(member=moved, on=D(2023, 1, 1), to_unit=small_tree["c"])
    assert "05/03/2025" in error.value.message_dict["on"][0]
    assert (intervals(moved), moved.events.count(), ObjectChange.objects.count()) == before
    assert mirror(moved) == ("KG-RG-02", Status.ACTIVE)


def test_a_resumption_needs_the_suspension_before_it_and_later_steps_keep_theirs(small_tree):
    member = services.admit_member(member=new_member(), unit=small_tree["a"])
    services.suspend_member(member=member, on=D(2021, 1, 1))
    services.resume_member(member=member, on=D(2023, 1, 1))
    with pytest.raises(ValidationError) as error:  # the member was not suspended on that day
        services.resume_member(member=member, on=D(2020, 6, 1))
    assert "member" in error.value.message_dict
    # Resumed earlier, the member would be active when the recorded resumption comes: it names that one.
    with pytest.raises(ValidationError) as error:
        services.resume_member(member=member, on=D(2022, 1, 1))
    assert "01/01/2023" in error.value.message_dict["on"][0]
    # A death typed in before a later step: nothing follows a death.
    with pytest.raises(ValidationError) as error:
        services.end_membership(member=member, kind=EventKind.DECEASED, on=D(2022, 1, 1))
    assert "01/01/2023" in error.value.message_dict["on"][0]


def test_a_transfer_dated_in_the_past_moves_the_member_from_that_day(small_tree):
    member = services.admit_member(member=new_member(), unit=small_tree["a"])
    services.transfer_member(member=member, on=D(2020, 5, 1), to_unit=small_tree["c"])
    services.suspend_member(member=member, on=D(2019, 6, 1), until=D(2019, 9, 1))
    assert mirror(member) == ("KG-PQ-01", Status.ACTIVE)
    assert standing_on(member, D(2019, 7, 1)) == ("KG-RG-01", Status.SUSPENDED)
    assert standing_on(member, D(2020, 4, 30)) == ("KG-RG-01", Status.ACTIVE)
    assert standing_on(member, D(2020, 5, 1)) == ("KG-PQ-01", Status.ACTIVE)
    # A suspension in the new union typed in late: recorded there, the member's mirror follows it.
    services.suspend_member(member=member, on=D(2021, 1, 1))
    services.end_membership(member=member, kind=EventKind.RETIRE, on=D(2024, 1, 1))
    services.resume_member(member=member, on=D(2022, 1, 1))
    assert [(e.kind, e.unit.code) for e in member.events.order_by("on", "id")][-3:] == [
        (EventKind.SUSPEND, "KG-PQ-01"),
        (EventKind.RESUME, "KG-PQ-01"),
        (EventKind.RETIRE, "KG-PQ-01"),
    ]
    assert mirror(member) == ("KG-PQ-01", Status.RETIRED)


def test_a_merged_history_admitted_twice_still_takes_a_late_step(small_tree):
    """Two records of one person merged keep both admissions: the second never applied (the member was
    active), so a step typed in before it is not refused for it."""
    keep = services.admit_member(member=new_member(), unit=small_tree["a"])
    other = services.admit_member(
        member=new_member(joined_on=D(2021, 5, 1), birth_date=D(1990, 5, 18)), unit=small_tree["b"]
    )
    services.merge_members(keep=keep, other=other)
    services.suspend_member(member=keep, on=D(2020, 1, 1), until=D(2020, 6, 1))
    assert standing_on(keep, D(2020, 3, 1)) == ("KG-RG-01", Status.SUSPENDED)
    assert mirror(keep) == ("KG-RG-02", Status.ACTIVE)


def test_steps_of_one_day_keep_the_order_they_were_recorded_in(moved):
    """A step typed in on the day of a later transfer comes after the transfer: the later recorded wins."""
    services.suspend_member(member=moved, on=D(2025, 3, 5))
    assert moved.events.get(kind=EventKind.SUSPEND).unit.code == "KG-RG-02"
    assert standing_on(moved, D(2025, 3, 5)) == ("KG-RG-02", Status.SUSPENDED)
    assert mirror(moved) == ("KG-RG-02", Status.SUSPENDED)


def test_a_step_on_a_day_its_union_did_not_exist_is_refused(small_tree):
    """The union's checks read the step's own date, as for a step recorded in order."""
    t = small_tree
    member = services.admit_member(member=new_member(joined_on=D(2020, 1, 1)), unit=t["a"])
    services.transfer_member(member=member, on=D(2024, 1, 1), to_unit=t["b"])
    with pytest.raises(ValidationError) as error:
        services.transfer_member(member=member, on=D(2019, 6, 1), to_unit=t["c"])  # before the admission
    assert "member" in error.value.message_dict
    on = D(2021, 1, 1)
    services.dissolve_grassroots_union(unit=t["c"], effective_on=on, decision=decision(on))
    with pytest.raises(ValidationError) as error:  # KG-PQ-01 had ended by then
        services.transfer_member(member=member, on=D(2022, 1, 1), to_unit=t["c"])
    assert "to_unit" in error.value.message_dict
    with pytest.raises(ValidationError) as error:  # it existed then, but the transfer of 2024 would break
        services.transfer_member(member=member, on=D(2020, 6, 1), to_unit=t["c"])
    assert "01/01/2024" in error.value.message_dict["on"][0]
    assert mirror(member) == ("KG-RG-02", Status.ACTIVE)


def test_late_steps_through_the_page_and_the_api(registry):
    an, officer = registry.an, registry.world.users["officer"]  # in KG-RG-01 since 01/06/2019
    services.transfer_member(member=an, on=D(2024, 3, 5), to_unit=registry.binh.unit)
    page = Client()
    page.force_login(officer)
    detail = page.get(reverse("members:detail", kwargs={"code": an.code})).content.decode()
    assert reverse("members:resume", kwargs={"code": an.code}) in detail  # among the earlier steps
    # the group says that the steps above take past dates too
    with translation.override(django_settings.LANGUAGE_CODE):
        hint = translation.gettext(
            "Every step above may be dated in the past too. Here are the steps the member's current state "
            "leaves out, for a date when the member stood otherwise: a step goes in at its date if the steps "
            "recorded after it still hold."
        )
    assert escape(hint) in detail
    response = page.post(
        reverse("members:end", kwargs={"code": an.code}), {"kind": EventKind.LEAVE, "on": "2023-01-01"}
    )
    assert response.status_code == 200
    assert "05/03/2024" in " ".join(response.context["form"].errors["on"])
    response = page.post(
        reverse("members:suspend", kwargs={"code": an.code}),
        {"on": "2022-01-01", "until": "2022-07-01", "decision_number": "5/QĐ"},
    )
    assert response.status_code == 302
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post(f"/api/members/{an.code}/end/", {"kind": "leave", "on": "2023-01-01"}, format="json")
    assert response.status_code == 400 and "05/03/2024" in response.json()["on"][0]
    response = api.post(f"/api/members/{an.code}/suspend/", {"on": "2023-01-01"}, format="json")
    assert response.status_code == 200 and response.json()["unit"] == "KG-RG-02"  # today's, unchanged
    response = api.post(f"/api/members/{an.code}/resume/", {"on": "2023-06-01"}, format="json")
    assert response.status_code == 200
    assert [(e["kind"], e["on"]) for e in api.get(f"/api/members/{an.code}/events/").json()][1:] == [
        ("suspend", "2022-01-01"),
        ("suspend", "2023-01-01"),
        ("resume", "2023-06-01"),
        ("transfer_out", "2024-03-05"),
        ("transfer_in", "2024-03-05"),
    ]
    states = [(m["state"], m["valid_from"]) for m in api.get(f"/api/members/{an.code}/memberships/").json()]
    assert states == [
        ("active", "2019-06-01"),
        ("suspended", "2022-01-01"),
        ("active", "2022-07-01"),
        ("suspended", "2023-01-01"),
        ("active", "2023-06-01"),
        ("active", "2024-03-05"),
    ]


# ------------------------------------------------------------------------------------ bounds on a field


def test_a_suspension_ends_after_it_starts_and_within_five_years(registry):
    an, officer = registry.an, registry.world.users["officer"]
    with pytest.raises(ValidationError) as error:
        services.suspend_member(member=an, on=D(2024, 2, 29), until=D(2029, 3, 2))
    assert "5" in error.value.message_dict["suspended_until"][0]
    services.suspend_member(member=an, on=D(2020, 2, 29), until=D(2025, 3, 1))  # the longest: 5 years
    page = Client()
    page.force_login(officer)
    response = page.post(
        reverse("members:suspend", kwargs={"code": registry.binh.code}),
        {"on": "2024-01-01", "until": "2024-01-01"},
    )
    assert response.status_code == 200 and response.context["form"].errors["until"]
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post(
        f"/api/members/{registry.binh.code}/suspend/",
        {"on": "2024-01-01", "until": "2202-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "until" in response.json()
    assert not registry.binh.events.filter(kind=EventKind.SUSPEND).exists()


FOREIGN_WORKER = {**test_review_lifecycle.FOREIGN_WORKER, "joined_on": "2025-08-01"}


@pytest.mark.parametrize("months", [0, 601, 2026])
def test_a_contract_term_is_between_1_and_600_months(registry, months):
    officer = registry.world.users["officer"]
    page = Client()
    page.force_login(officer)
    response = page.post(reverse("members:admit"), {**FOREIGN_WORKER, "contract_months": str(months)})
    assert response.status_code == 200 and response.context["form"].errors["contract_months"]
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post("/api/members/", {**FOREIGN_WORKER, "contract_months": months}, format="json")
    assert response.status_code == 400 and "contract_months" in response.json()
    response = api.patch(f"/api/members/{registry.an.code}/", {"contract_months": months}, format="json")
    assert response.status_code == 400 and "contract_months" in response.json()
    assert not Member.objects.filter(nationality="Lào").exists()
    response = api.post("/api/members/", {**FOREIGN_WORKER, "contract_months": 600}, format="json")
    assert response.status_code == 201


def test_an_imported_contract_term_beyond_600_months_is_refused_on_its_column(small_tree, tmp_path, media):
    headers = [*listfiles.HEADERS, "Quốc tịch", "Thời hạn HĐLĐ"]
    base = [1, "Somchai Phommavong", D(1992, 4, 5), "Nam", "Lào", None, D(2025, 8, 1), "Đoàn viên"]
    rows = [[*base, "Lào", 720], [2, "Bounmy Sisavath", *base[2:], "Lào", 36]]
    path = listfiles.xlsx(tmp_path / "ds.xlsx", rows, headers=headers)
    batch = import_services.read_batch(
        batch=import_services.create_batch(file=path, unit=small_tree["a"], mode="add", user=None)
    )
    errors = import_services.summary(batch)["errors"]
    assert [(error["row"], error["column"]) for error in errors] == [(5, "Thời hạn HĐLĐ")]
    assert "600" in errors[0]["message"]


# ------------------------------------------------------------------------------- any order, same history

UNITS = ("a", "b", "c")


@st.composite
def histories(draw) -> list[tuple]:
    """A valid life in the union, in date order: (kind, day, details) from the registration on 01/01/2019,
    each step on its own day (steps of one day take the order they are recorded in)."""
    days = sorted(draw(st.sets(st.integers(1, 2000), min_size=1, max_size=7)))
    steps, unit, state = [], "a", Status.ACTIVE
    for offset in days:
        on = D(2019, 1, 1) + datetime.timedelta(days=offset)
        if state == Status.ACTIVE:
            kind = draw(st.sampled_from(["transfer", "suspend", "leave", "deceased"]))
        elif state == Status.SUSPENDED:
            kind = draw(st.sampled_from(["transfer", "resume", "leave"]))
        elif state == Status.LEFT:
            kind = "readmit"
        else:
            break
        if kind == "transfer":
            unit = draw(st.sampled_from([u for u in UNITS if u != unit]))
            steps.append(("transfer", on, unit))
            state = Status.ACTIVE
        elif kind == "readmit":
            unit = draw(st.sampled_from(UNITS))
            steps.append(("readmit", on, unit))
            state = Status.ACTIVE
        else:
            steps.append((kind, on, None))
            state = {
                "suspend": Status.SUSPENDED,
                "resume": Status.ACTIVE,
                "leave": Status.LEFT,
                "deceased": Status.DECEASED,
            }[kind]
    return steps


def take(member, step, tree) -> None:
    kind, on, unit = step
    if kind == "transfer":
        services.transfer_member(member=member, on=on, to_unit=tree[unit])
    elif kind == "readmit":
        services.admit_member(member=member, unit=tree[unit], on=on)
    elif kind == "suspend":
        services.suspend_member(member=member, on=on)
    elif kind == "resume":
        services.resume_member(member=member, on=on)
    else:
        services.end_membership(member=member, kind=kind, on=on)


def spans(member) -> list[tuple]:
    return [
        (m.unit_id, m.state, m.valid_from, m.valid_to)
        for m in Membership.objects.filter(member=member).order_by("valid_from")
    ]


def coherent(member) -> bool:
    """Every recorded event applies where the events before it leave the member (the services' own rule)."""
    history = services._History(member)
    for recorded in MemberEvent.objects.filter(member=member).order_by("on", "id"):
        if not services._applies(recorded, history.standing_on(recorded.on)):
            return False
        history.add(recorded)
    return True


def replayed(member) -> list[tuple]:
    """The intervals a replay of the stored events gives: what a step must leave stored."""
    events = MemberEvent.objects.filter(member=member).order_by("on", "id")
    derived = services.derive_memberships(member, events)
    return [(m.unit_id, m.state, m.valid_from, m.valid_to) for m in derived]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=histories(), order=st.randoms(use_true_random=False))
def test_a_history_typed_in_any_order_is_the_history_typed_in_date_order(small_tree, steps, order):
    """Steps typed in a shuffled order (a refused one is typed again after the others) never leave an
    incoherent history, and once all are in, the intervals are those of the steps typed in date order."""
    with transaction.atomic():
        in_order = services.admit_member(member=new_member(), unit=small_tree["a"])
        for step in steps:
            take(in_order, step, small_tree)
        shuffled = services.admit_member(member=new_member(full_name="Trần Văn Bình"), unit=small_tree["a"])
        waiting = list(steps)
        order.shuffle(waiting)
        while waiting:
            refused = []
            for step in waiting:
                try:
                    with transaction.atomic():
                        take(shuffled, step, small_tree)
                except ValidationError:
                    refused.append(step)
                assert coherent(shuffled)
                assert spans(shuffled) == replayed(shuffled)
            if len(refused) == len(waiting):
                break  # a step took its union from a day it now stands otherwise: left out
            waiting = refused
        event("all typed in" if not waiting else "some left out")
        if not waiting:
            assert spans(shuffled) == spans(in_order)
        transaction.set_rollback(True)
