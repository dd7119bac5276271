"""A unit moved after a split, out of or into the units of a share: the split is not re-made silently, the
allocation page, the target's progress page and the API say so (``allocation.moved_since_split``)."""

# ruff: noqa: F811 (the fixtures of test_allocation are imported, and tests name them as arguments)

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from congdoan.accounts.models import Role
from congdoan.plans import allocation
from congdoan.plans.models import AllocationMethod, DocumentKind
from congdoan.units import services as units
from tests.factories import decision, found, year_programme
from tests.plans.test_allocation import (  # noqa: F401 (fixtures)
    add,
    admitted,
    programme,
    tree,
)

D = datetime.date
NOTICE = 'id="moved-since-split"'


@pytest.fixture
def district_plan(tree):
    """Rạch Giá's 2024 plan: its units on 01/01/2024 are KG-RG-01 and KG-RG-02."""
    return year_programme(
        tree["rg"], 2024, "RG-KH-2024", kind=DocumentKind.PLAN, issued_on=D(2023, 12, 1), period_end=2024
    )


def split_20_40(target, officer):
    return allocation.allocate(
        user=officer,
        target=target,
        method=AllocationMethod.MANUAL,
        values={"KG-RG-01": Decimal(20), "KG-RG-02": Decimal(40)},
    )


def move(unit, parent, on: datetime.date) -> None:
    units.move_units(units=[unit], new_parent=parent, effective_on=on, decision=decision(on))


def pages(target, user) -> tuple[str, str, list]:
    client = Client()
    client.force_login(user)
    split_page = client.get(f"/programmes/targets/{target.pk}/allocation/")
    progress_page = client.get(f"/programmes/{target.programme.ref}/targets/{target.pk}/progress/")
    assert split_page.status_code == progress_page.status_code == 200
    api = APIClient()
    api.force_login(user)
    newest = api.get("/api/allocations/", {"target": target.pk}).json()["results"][0]
    assert "moved_since_split" not in newest  # a list leaves it out: a few queries an allocation
    in_force = api.get(f"/api/allocations/{newest['id']}/").json()
    return split_page.content.decode(), progress_page.content.decode(), in_force["moved_since_split"]


def test_a_union_moved_to_another_district_after_the_split_is_named_on_both_pages_and_in_the_api(
    district_plan, tree, user_at
):
    officer = user_at(tree["rg"])
    target = add(district_plan, 1, 60)
    made = split_20_40(target, officer)
    move(tree["b"], tree["pq"], D(2024, 3, 1))

    [moved] = allocation.moved_since_split(made)
    assert (moved.moved, moved.from_parent, moved.to_parent, moved.on) == (
        tree["b"],
        tree["rg"],
        tree["pq"],
        D(2024, 3, 1),
    )
    assert (moved.left, moved.joined) == (tree["b"], None)  # its share's unit left Rạch Giá

    split_page, progress_page, api = pages(target, officer)
    for page in (split_page, progress_page):
        notice = page[page.index(NOTICE) :]
        notice = notice[: notice.index("</div>")]
        assert tree["b"].name in notice and tree["pq"].name in notice and tree["rg"].name in notice
        assert "01/03/2024" in notice and "01/01/2024" in notice  # the move's day, the split's day
    assert 'href="#split-h"' in split_page
    assert f'href="/programmes/targets/{target.pk}/allocation/#split-h"' in progress_page
    assert api == [
        {
            "unit": "KG-RG-02",
            "unit_name": tree["b"].name,
            "from_unit": "KG-RG",
            "from_unit_name": tree["rg"].name,
            "to_unit": "KG-PQ",
            "to_unit_name": tree["pq"].name,
            "moved_on": "2024-03-01",
            "left": "KG-RG-02",
            "joined": None,
        }
    ]


def test_no_move_no_notice(district_plan, tree, user_at):
    officer = user_at(tree["rg"])
    target = add(district_plan, 1, 60)
    made = split_20_40(target, officer)
    move(tree["c"], tree["lx"], D(2024, 3, 1))  # elsewhere: no unit of this split gains or loses
    assert allocation.moved_since_split(made) == []
    split_page, progress_page, api = pages(target, officer)
    assert NOTICE not in split_page and NOTICE not in progress_page and api == []


def test_a_move_before_the_split_gives_no_notice(district_plan, tree, user_at):
    officer = user_at(tree["rg"])
    found("Công đoàn cơ sở Chợ Rạch Giá", "grassroots", tree["rg"], code="KG-RG-03")
    move(tree["b"], tree["pq"], D(2023, 12, 1))  # before the split's day, 01/01/2024
    target = add(district_plan, 1, 60)
    made = allocation.allocate(
        user=officer,
        target=target,
        method=AllocationMethod.MANUAL,
        values={"KG-RG-01": Decimal(20), "KG-RG-03": Decimal(40)},
    )
    assert allocation.moved_since_split(made) == []
    split_page, progress_page, api = pages(target, officer)
    assert NOTICE not in split_page and NOTICE not in progress_page and api == []


def test_moves_between_the_units_of_a_province_split_name_the_share_left_and_the_share_joined(
    admitted, tree, user_at
):
    """Kiên Giang's target split among its districts: a union moving from Phú Quốc to Rạch Giá leaves one
    share for another, one coming from An Giang joins a share; moves within a share or a reorganisation
    that is not a move say nothing."""
    made = allocation.allocate(
        user=user_at(tree["kg"]),
        target=admitted,
        method=AllocationMethod.MANUAL,
        values={"KG-RG": Decimal(50), "KG-PQ": Decimal(30), "KG-HT": Decimal(20)},
    )
    within = found("Công đoàn cơ sở Cảng cá Tắc Cậu", "grassroots", tree["rg"], code="KG-RG-09")
    sub = found("Công đoàn bộ phận Phân xưởng", "subunit", within, code="KG-RG-09-1")
    move(sub, tree["a"], D(2024, 2, 1))  # within Rạch Giá's share
    move(tree["d"], tree["rg"], D(2024, 5, 1))
    move(tree["c"], tree["rg"], D(2024, 4, 1))
    moved = allocation.moved_since_split(made)
    assert [(m.moved.code, m.from_parent.code, m.to_parent.code, m.on) for m in moved] == [
        ("KG-PQ-01", "KG-PQ", "KG-RG", D(2024, 4, 1)),
        ("AG-LX-01", "AG-LX", "KG-RG", D(2024, 5, 1)),
    ]
    assert [(m.left, m.joined) for m in moved] == [(tree["pq"], tree["rg"]), (None, tree["rg"])]


def test_the_pages_cost_the_same_with_one_move_or_five(district_plan, tree, user_at):
    officer = user_at(tree["rg"])
    extra = [
        found(f"Công đoàn cơ sở Doanh nghiệp {n}", "grassroots", tree["rg"], code=f"KG-RG-1{n}")
        for n in range(4)
    ]
    target = add(district_plan, 1, 60)
    made = split_20_40(target, officer)
    client = Client()
    client.force_login(officer)
    urls = [
        f"/programmes/targets/{target.pk}/allocation/",
        f"/programmes/{district_plan.ref}/targets/{target.pk}/progress/",
    ]

    def costs() -> list[int]:
        counted = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counted.append(len(queries))
        return counted

    move(tree["b"], tree["pq"], D(2024, 3, 1))
    one = costs()
    assert len(allocation.moved_since_split(made)) == 1
    # Four more, on four other days, two of them out to another province's district: each holds a share
    # of 0 (left out of the split by hand), as much a part of the split as the others.
    for n, unit in enumerate(extra):
        move(unit, tree["pq"] if n % 2 else tree["lx"], D(2024, 4 + n, 1))
    assert len(allocation.moved_since_split(made)) == 5
    assert costs() == one


def test_a_viewer_reads_the_notice_without_a_way_to_revise(district_plan, tree, user_at):
    target = add(district_plan, 1, 60)
    split_20_40(target, user_at(tree["rg"]))
    move(tree["b"], tree["pq"], D(2024, 3, 1))
    split_page, progress_page, api = pages(target, user_at(tree["rg"], Role.VIEWER))
    assert NOTICE in split_page and 'href="#split-h"' not in split_page and len(api) == 1
    assert NOTICE in progress_page and "#split-h" not in progress_page


def test_a_revision_made_after_the_move_answers_it(district_plan, tree, user_at):
    """The notice lasts until the split is revised: a revision made once the move is recorded is the
    officer's decision about it, even on the same day's units (the moved union may keep a share)."""
    officer = user_at(tree["rg"])
    target = add(district_plan, 1, 60)
    split_20_40(target, officer)
    move(tree["b"], tree["pq"], D(2024, 3, 1))
    revised = allocation.allocate(
        user=officer, target=target, method=AllocationMethod.MANUAL, values={"KG-RG-01": Decimal(60)}
    )
    assert revised.units_on == D(2024, 1, 1) and allocation.moved_since_split(revised) == []
    split_page, progress_page, api = pages(target, officer)
    assert NOTICE not in split_page and NOTICE not in progress_page and api == []
    # A move recorded later, even with an earlier date, is named again.
    move(tree["a"], tree["ht"], D(2024, 2, 1))
    [moved] = allocation.moved_since_split(revised)
    assert (moved.moved, moved.on, moved.left) == (tree["a"], D(2024, 2, 1), tree["a"])
