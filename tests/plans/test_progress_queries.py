"""The progress pages read each kind of thing once for every target, every unit under the unit and every
month end they show: their queries do not grow with them (a query per target, per child or per month
end, as the pages once made, fails here), and stay under 20.

The world: Kiên Giang's seed programme KG-NQ-2020 (18 targets, 15 entered by hand), three district unions
with two grassroots unions each, a member admitted in each of those, the admissions target split among
the districts, and a figure entered for one target entered by hand.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from congdoan.accounts.models import Role
from congdoan.members.models import Gender, Member
from congdoan.members.services import admit_member
from congdoan.plans import allocation, progress
from congdoan.plans.models import AllocationMethod, Programme, Target, TargetKind
from congdoan.plans.periods import PeriodKind
from congdoan.plans.reported import enter_figure
from congdoan.plans.services import TargetSpec, add_target, load_seed_programmes
from tests.factories import found
from tests.plans.test_progress_pages import logged_in

PROGRAMME = "KG-NQ-2020"
MID_2020 = "2020-06-30"
MOST = 20
admissions = 0  # members admitted so far in the world (each a new name)


def admit(unit, on: datetime.date) -> None:
    global admissions
    admissions += 1
    member = Member(full_name=f"Danh Thị {admissions}", gender=Gender.FEMALE, birth_year=1990, joined_on=on)
    admit_member(member=member, unit=unit, on=on)


def district(province, number: int):
    """A district union with two grassroots unions, a member admitted in each in March 2020."""
    upper = found(f"Liên đoàn Lao động huyện {number}", "upper", province, code=f"KG-H{number}")
    for place in range(2):
        grassroots = found(
            f"Công đoàn cơ sở {number}.{place}", "grassroots", upper, code=f"KG-{number}-{place}"
        )
        admit(grassroots, datetime.date(2020, 3, 1 + place))
    return upper


@pytest.fixture
def kien_giang(provinces, user_at):
    load_seed_programmes()
    province = provinces["KG"]
    officer = user_at(province, Role.OFFICER)
    districts = [district(province, number) for number in range(3)]
    admitted = Target.objects.get(programme__ref=PROGRAMME, indicator="members_admitted")
    allocation.allocate(
        user=None,
        target=admitted,
        method=AllocationMethod.MANUAL,
        values={unit.code: Decimal(value) for unit, value in zip(districts, (2000, 2000, 1821), strict=True)},
    )
    manual = Target.objects.filter(programme__ref=PROGRAMME, manual=True, kind=TargetKind.COUNT).first()
    grassroots = districts[0].children.order_by("code").first()
    enter_figure(
        user=officer,
        target=manual,
        unit=grassroots,
        stands_on=datetime.date(2020, 5, 4),
        numerator=Decimal(7),
    )
    return {"province": province, "officer": officer, "admitted": admitted, "manual": manual}


def grow(world) -> None:
    """Two more district unions (four grassroots unions), and three more targets: one on an indicator no
    other target follows, one on an indicator already read, one entered by hand without figures."""
    for number in (3, 4):
        district(world["province"], number)
    programme = Programme.objects.get(ref=PROGRAMME)
    year = {
        "period_kind": PeriodKind.YEAR,
        "period_start": 2020,
        "period_end": 2020,
        "kind": TargetKind.COUNT,
    }
    for spec in (
        TargetSpec(text="giữ 1.000 đoàn viên nữ", value=Decimal(1000), indicator="female_members", **year),
        TargetSpec(
            text="kết nạp thêm 100 đoàn viên", value=Decimal(100), indicator="members_admitted", **year
        ),
        TargetSpec(text="tập huấn 50 cán bộ", value=Decimal(50), manual=True, **year),
    ):
        add_target(user=None, programme=programme, spec=spec)


def queries(call: Callable) -> int:
    """The queries of ``call`` once the windows it reads are stored (a first call computes them)."""
    call()
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def page(world, path: str, **query) -> Callable:
    client = logged_in(world["officer"])

    def get():
        response = client.get(path, query)
        assert response.status_code == 200, response.content[:500]

    return get


def programme_page(world):
    return page(world, f"/programmes/{PROGRAMME}/progress/", at=MID_2020)


def target_page(world, target: str, at: str = MID_2020):
    return page(world, f"/programmes/{PROGRAMME}/targets/{world[target].pk}/progress/", at=at)


def export(world):
    return page(world, f"/programmes/{PROGRAMME}/progress.xlsx", at=MID_2020)


def api(world, children: bool):
    client = logged_in(world["officer"], APIClient)

    def get():
        query = {"at": MID_2020, "children": "true" if children else "false"}
        assert client.get(f"/api/programmes/{PROGRAMME}/progress/", query).status_code == 200

    return get


def command(world):
    def run():
        arguments = ("--programme", PROGRAMME, "--unit", "KG", "--at", MID_2020, "--children")
        call_command("progress", *arguments, "--format", "json", stdout=StringIO())

    return run


def live_panel(world):
    return lambda: progress.live_targets(
        user=world["officer"], unit=world["province"], on=datetime.date(2020, 6, 30)
    )


READS = {
    "programme page": programme_page,
    "target page (indicator)": lambda world: target_page(world, "admitted"),
    "target page (entered by hand)": lambda world: target_page(world, "manual"),
    "export": export,
    "API": lambda world: api(world, children=False),
    "API with children": lambda world: api(world, children=True),
    "congdoan progress --children": command,
    "live targets": live_panel,
}


@pytest.mark.parametrize("name", READS)
def test_more_targets_and_units_make_no_more_queries(kien_giang, name):
    read = READS[name](kien_giang)
    before = queries(read)
    grow(kien_giang)
    after = queries(read)
    assert after == before <= MOST, (name, before, after)


def test_more_month_ends_make_no_more_queries(kien_giang):
    """The trend of an indicator: February's page reads two month ends, November's eleven."""
    assert queries(target_page(kien_giang, "admitted", at="2020-11-30")) == queries(
        target_page(kien_giang, "admitted", at="2020-02-29")
    )


def test_more_month_ends_of_an_entered_target_make_no_more_queries(kien_giang):
    """The trend of a target entered by hand, with figures in several months: March's page reads three
    month ends with figures, November's eleven; the figures and the tree are read once for all of them."""
    manual, province = kien_giang["manual"], kien_giang["province"]
    for month, unit in ((1, province), (2, province.children.order_by("code").first()), (3, province)):
        enter_figure(
            user=kien_giang["officer"],
            target=manual,
            unit=unit,
            stands_on=datetime.date(2020, month, 10),
            numerator=Decimal(month),
        )
    assert queries(target_page(kien_giang, "manual", at="2020-11-30")) == queries(
        target_page(kien_giang, "manual", at="2020-03-31")
    )


def test_the_rows_are_those_each_target_reads_alone(kien_giang):
    """Read together, each target gives what it gives read alone (the batching mixes nothing up)."""
    grow(kien_giang)
    programme = progress.programme_of(None, PROGRAMME)
    unit, on = kien_giang["province"], datetime.date(2020, 6, 30)
    together = progress.programme_progress(programme=programme, unit=unit, at=on)
    for row in together:
        [alone] = progress.progress_for([progress.Ask(row.target, [unit])], at=on)
        assert alone[0].actual == row.actual and alone[0].target_value == row.target_value, row.target.text
    figures = {row.target.text: row.actual for row in together}
    assert figures["kết nạp thêm 100 đoàn viên"].numerator == 10  # one admitted in each grassroots union
    assert figures["giữ 1.000 đoàn viên nữ"].numerator == 10
    assert figures[kien_giang["manual"].text].numerator == 7
    assert figures["tập huấn 50 cán bộ"] is None  # entered by hand, no figure: none, not 0


@pytest.mark.parametrize("name", ["programme page", "API with children", "congdoan progress --children"])
def test_more_targets_with_entered_figures_make_no_more_queries(kien_giang, name):
    """The figures entered for all the targets entered by hand are read together, and the tree they roll
    up along once: a target with figures costs no query of its own."""
    read = READS[name](kien_giang)
    before = queries(read)
    province = kien_giang["province"]
    grassroots = province.children.order_by("code").last().children.order_by("code").first()
    entered = Target.objects.filter(programme__ref=PROGRAMME, manual=True).exclude(pk=kien_giang["manual"].pk)
    for target, unit in zip(entered[:3], (province, grassroots, grassroots), strict=True):
        enter_figure(
            user=kien_giang["officer"],
            target=target,
            unit=unit,
            stands_on=datetime.date(2020, 4, 1),
            numerator=Decimal(1),
            denominator=None if target.kind == TargetKind.COUNT else Decimal(2),
        )
    assert queries(read) == before, name
