"""Progress pages, drill-down, charts, export and API on the seed programmes, in the user's scope.

The world: the seed provinces, two grassroots unions under Điện Biên Phủ city's union, figures entered for
seed 000's percent target I.4 (8 of 10 and 3 of 10 enterprises with an agreement on 30/06/2020) and three
members admitted in 2020, which the engine counts for I.5 ("kết nạp được 594 đoàn viên").
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from congdoan.accounts.models import Role
from congdoan.members.models import Gender, Member
from congdoan.members.services import admit_member
from congdoan.plans.models import Target
from congdoan.plans.progress_exports import FIGURE_COLUMNS, TARGET_COLUMNS, UNIT_COLUMNS
from congdoan.plans.reported import enter_figure
from congdoan.plans.services import load_seed_programmes
from congdoan.units.services import move_units
from tests.factories import decision, found

MID_2020 = "2020-06-30"
SEEDS = ("DB-579-CV-2019", "LC-324-KH-2022", "KG-NQ-2020", "HN-76-TB-2021", "DB-CT-TU-2021")
PROVINCE_OF = {"DB-579-CV-2019": "DB", "LC-324-KH-2022": "LC", "KG-NQ-2020": "KG", "HN-76-TB-2021": "HN"}
PROVINCE_OF["DB-CT-TU-2021"] = "DB"


@pytest.fixture
def progress_world(provinces, user_at):
    load_seed_programmes()
    city = provinces["DB-DBP"]
    first = found("Công đoàn cơ sở Công ty Cao su Điện Biên", "grassroots", city, code="DB-CS1")
    second = found("Công đoàn cơ sở Công ty Xi măng Điện Biên", "grassroots", city, code="DB-CS2")
    officer = user_at(provinces["DB"], Role.OFFICER)
    agreements = Target.objects.get(programme__ref="DB-579-CV-2019", ref="I.4")
    on = datetime.date(2020, 6, 30)
    for unit, having in ((first, 8), (second, 3)):
        enter_figure(
            user=officer,
            target=agreements,
            unit=unit,
            stands_on=on,
            numerator=Decimal(having),
            denominator=Decimal(10),
        )
    for day in (3, 4, 5):
        joined = datetime.date(2020, 3, day)
        member = Member(full_name=f"Lò Văn {day}", gender=Gender.MALE, birth_year=1995, joined_on=joined)
        admit_member(member=member, unit=first, on=joined)
    users = {code: user_at(provinces[code], Role.VIEWER) for code in ("DB", "LC", "KG", "HN")}
    return {"units": {**provinces, "CS1": first, "CS2": second}, "users": users, "officer": officer}


def logged_in(user, client_class=Client):
    client = client_class()
    client.force_login(user)
    return client


def api_progress(user, ref: str, **query) -> dict:
    response = logged_in(user, APIClient).get(f"/api/programmes/{ref}/progress/", query)
    assert response.status_code == 200, response.content
    return response.json()


def by_ref(rows: list[dict]) -> dict[str, dict]:
    return {(row["ref"], row["text"][:12]): row for row in rows}


# ---------------------------------------------------------------------------------------------- pages


@pytest.mark.parametrize("ref", SEEDS)
def test_every_seed_programme_has_a_progress_page(progress_world, ref):
    user = progress_world["users"][PROVINCE_OF[ref]]
    response = logged_in(user).get(f"/programmes/{ref}/progress/", {"at": "2023-06-30"})
    assert response.status_code == 200
    page = response.content.decode()
    for target in Target.objects.filter(programme__ref=ref):
        assert target.text in page
        assert f"/programmes/{ref}/targets/{target.pk}/progress/" in page
    assert f"/programmes/{ref}/progress.xlsx?unit={PROVINCE_OF[ref]}" in page


def test_the_programme_page_links_to_its_progress(progress_world):
    client = logged_in(progress_world["users"]["DB"])
    assert (
        "/programmes/DB-579-CV-2019/progress/" in client.get("/programmes/DB-579-CV-2019/").content.decode()
    )
    # A directive without numeric targets has no progress to show.
    assert (
        'href="/programmes/DB-CT-TU-2021/progress/"'
        not in client.get("/programmes/DB-CT-TU-2021/").content.decode()
    )


def test_the_programme_page_shows_actual_percent_and_light(progress_world):
    page = logged_in(progress_world["users"]["DB"]).get(
        "/programmes/DB-579-CV-2019/progress/", {"at": MID_2020}
    )
    text = page.content.decode()
    assert "55,0%" in text and "(11/20)" in text  # 11 of 20 enterprises, summed, not averaged
    assert "78,6%" in text  # 55% against the 70% target
    assert "#b3261e" in text  # a red light drawn


def test_drill_down_shows_children_bars_and_trend(progress_world):
    target = Target.objects.get(programme__ref="DB-579-CV-2019", ref="I.4")
    client = logged_in(progress_world["users"]["DB"])
    url = f"/programmes/DB-579-CV-2019/targets/{target.pk}/progress/"
    page = client.get(url, {"unit": "DB-DBP", "at": MID_2020}).content.decode()
    assert "Công đoàn cơ sở Công ty Cao su Điện Biên" in page and "80,0%" in page and "30,0%" in page
    assert page.count("<rect ") == 2  # one bar per child with figures
    assert "<polyline" in page
    # The trend: one point per month end, January to June; only June has figures.
    trend = page.split('aria-labelledby="trend-title"')[1].split("</svg>")[0]
    assert trend.count("<circle ") == 1
    assert "30/06/2020" in page
    # Coordinates are SVG numbers whatever the language: "24,5" would be no number at all.
    coordinates = re.findall(r' (?:x|y|x1|y1|x2|y2|cx|cy|width)="([^"]*)"', page.split("<main")[1])
    assert coordinates and not [value for value in coordinates if "," in value and "%" not in value]
    # A child's own drill-down: a grassroots union has no units under it.
    child = client.get(url, {"unit": "DB-CS2", "at": MID_2020})
    assert child.status_code == 200 and "30,0%" in child.content.decode()


def test_the_as_of_form_and_the_tree_toggle_are_kept_in_links(progress_world):
    page = logged_in(progress_world["users"]["DB"]).get(
        "/programmes/DB-579-CV-2019/progress/", {"at": MID_2020, "tree": "today"}
    )
    text = page.content.decode()
    assert "at=2020-06-30&amp;tree=today" in text
    assert 'value="today" checked' in text
    assert 'hx-select="#progress"' in text


def test_a_wrong_date_is_named_and_today_is_shown_instead(progress_world):
    page = logged_in(progress_world["users"]["DB"]).get(
        "/programmes/DB-579-CV-2019/progress/", {"at": "31/02/2020"}
    )
    assert page.status_code == 200
    assert 'class="error"' in page.content.decode()


def test_a_units_page_loads_its_live_targets(progress_world, settings):
    client = logged_in(progress_world["users"]["LC"])
    unit_page = client.get("/units/u/LC/").content.decode()
    assert 'hx-get="/programmes/units/LC/targets/"' in unit_page
    panel = client.get("/programmes/units/LC/targets/", headers={"HX-Request": "true"})
    assert panel.status_code == 200
    text = panel.content.decode()
    assert "<html" not in text  # the fragment only
    # Lai Châu's plan holds every year from 2022: all nine targets are in force today.
    for target in Target.objects.filter(programme__ref="LC-324-KH-2022"):
        assert target.text in text
    assert "<html" in client.get("/programmes/units/LC/targets/").content.decode()


# ------------------------------------------------------------------------------------------------ API


def test_the_api_gives_each_target_with_its_progress(progress_world):
    body = api_progress(progress_world["users"]["DB"], "DB-579-CV-2019", at=MID_2020)
    assert (body["programme"], body["unit"], body["at"], body["tree"]) == (
        "DB-579-CV-2019",
        "DB",
        MID_2020,
        "then",
    )
    rows = by_ref(body["targets"])
    agreements = rows[("I.4", "tỷ lệ CĐCS d")]
    assert agreements["actual"] == 55 and agreements["numerator"] == 11 and agreements["denominator"] == 20
    assert agreements["percent"] == 78.57 and agreements["met"] is False and agreements["light"] == "red"
    assert agreements["manual"] is True and agreements["indicator"] is None
    assert agreements["period"]["start"] == "2020-01-01" and agreements["period"]["at"] == MID_2020
    admitted = rows[("I.5", "kết nạp được")]
    assert admitted["actual"] == 3 and admitted["indicator"] == "members_admitted"
    assert admitted["expected"] == pytest.approx(594 * 182 / 366, abs=0.01)
    assert admitted["light"] == "red" and "children" not in admitted


def test_the_api_drills_down_to_the_children(progress_world):
    body = api_progress(
        progress_world["users"]["DB"], "DB-579-CV-2019", unit="DB-DBP", at=MID_2020, children="true"
    )
    agreements = by_ref(body["targets"])[("I.4", "tỷ lệ CĐCS d")]
    children = {child["unit"]: child for child in agreements["children"]}
    assert children["DB-CS1"]["actual"] == 80 and children["DB-CS1"]["light"] == "green"
    assert children["DB-CS2"]["actual"] == 30 and children["DB-CS2"]["target_source"] == "rate"
    admitted = by_ref(body["targets"])[("I.5", "kết nạp được")]
    counted = {child["unit"]: child for child in admitted["children"]}
    # No share was allocated: a child shows its actual and its part of the city's total.
    assert counted["DB-CS1"]["target_for_unit"] is None and counted["DB-CS1"]["share"] == 100
    assert counted["DB-CS2"]["actual"] == 0 and counted["DB-CS2"]["share"] == 0
    # The city's own line: its part of the province's total, as on the programme's page.
    assert admitted["target_for_unit"] is None and admitted["share"] == 100


def test_the_tree_of_the_day_or_todays_tree(progress_world):
    """Moved in 2021 straight under the province, CĐCS 2 counted for the city in mid-2020 (the tree as it
    stood then) and no longer does on today's tree."""
    units = progress_world["units"]
    move_units(
        units=[units["CS2"]],
        new_parent=units["DB"],
        effective_on=datetime.date(2021, 1, 1),
        decision=decision(datetime.date(2020, 12, 20)),
    )
    user = progress_world["users"]["DB"]

    def city(tree: str) -> dict:
        body = api_progress(user, "DB-579-CV-2019", unit="DB-DBP", at=MID_2020, tree=tree, children="true")
        return by_ref(body["targets"])[("I.4", "tỷ lệ CĐCS d")]

    then, today = city("then"), city("today")
    assert (then["numerator"], then["denominator"]) == (11, 20)
    assert {child["unit"] for child in then["children"]} == {"DB-CS1", "DB-CS2"}
    assert (today["numerator"], today["denominator"]) == (8, 10)
    assert {child["unit"] for child in today["children"]} == {"DB-CS1"}


def test_a_manual_target_without_figures_is_grey_not_zero(progress_world):
    body = api_progress(progress_world["users"]["KG"], "KG-NQ-2020", at=MID_2020)
    manual = [row for row in body["targets"] if row["manual"]]
    assert manual
    for row in manual:
        assert row["has_figures"] is False and row["actual"] is None and row["light"] == "grey"


def test_the_api_names_a_wrong_parameter(progress_world):
    client = logged_in(progress_world["users"]["DB"], APIClient)
    response = client.get("/api/programmes/DB-579-CV-2019/progress/", {"at": "hôm qua"})
    assert response.status_code == 400 and "at" in response.json()
    response = client.get("/api/programmes/DB-579-CV-2019/progress/", {"children": "có lẽ"})
    assert response.status_code == 400 and "children" in response.json()


# ---------------------------------------------------------------------------------------------- scope


def test_another_provinces_user_finds_nothing(progress_world):
    target = Target.objects.get(programme__ref="DB-579-CV-2019", ref="I.4")
    stranger = logged_in(progress_world["users"]["KG"])
    for url in (
        "/programmes/DB-579-CV-2019/progress/",
        "/programmes/DB-579-CV-2019/progress.xlsx",
        f"/programmes/DB-579-CV-2019/targets/{target.pk}/progress/",
        "/programmes/units/DB-CS1/targets/",
        "/api/programmes/DB-579-CV-2019/progress/",
    ):
        assert stranger.get(url).status_code == 404, url
    # Its own programme, asked for a unit of Điện Biên.
    own = logged_in(progress_world["users"]["KG"])
    assert own.get("/programmes/KG-NQ-2020/progress/", {"unit": "DB-CS1"}).status_code == 404
    assert own.get("/api/programmes/KG-NQ-2020/progress/", {"unit": "DB-CS1"}).status_code == 404


def test_a_unit_outside_the_programme_is_not_found(progress_world, user_at):
    national = logged_in(user_at(progress_world["units"]["national"], Role.VIEWER))
    assert national.get("/programmes/DB-579-CV-2019/progress/", {"unit": "KG"}).status_code == 404
    assert national.get("/programmes/DB-579-CV-2019/progress/", {"unit": "DB-CS1"}).status_code == 200


def test_a_programme_filed_above_opens_on_the_readers_own_unit(progress_world, user_at):
    chair = logged_in(user_at(progress_world["units"]["CS1"], Role.CHAIR))
    response = chair.get("/programmes/DB-579-CV-2019/progress/")
    assert response.status_code == 200
    assert response.context["unit"].code == "DB-CS1"
    # Seeing the programme gives no sight of the units above or beside the reader.
    assert chair.get("/programmes/DB-579-CV-2019/progress/", {"unit": "DB"}).status_code == 404
    assert chair.get("/api/programmes/DB-579-CV-2019/progress/").json()["unit"] == "DB-CS1"


# --------------------------------------------------------------------------------------------- export


def test_the_export_holds_the_same_table_with_numbers_as_numbers(progress_world):
    Target.objects.filter(programme__ref="DB-579-CV-2019", ref="I.5", kind="count", value=15).update(
        text="=HYPERLINK(1)"
    )
    response = logged_in(progress_world["users"]["DB"]).get(
        "/programmes/DB-579-CV-2019/progress.xlsx", {"unit": "DB-DBP", "at": MID_2020}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('tien-do-DB-579-CV-2019-DB-DBP-2020-06-30.xlsx"')
    targets, children = load_workbook(io.BytesIO(response.content)).worksheets
    header = [cell.value for cell in targets[2]]
    assert header == [str(column.header) for column in TARGET_COLUMNS + FIGURE_COLUMNS]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in targets.iter_rows(min_row=3)]
    assert [row[header[0]] for row in rows] == ["I.4", "I.5", "I.5"]
    agreements = rows[0]
    figures = [str(column.header) for column in FIGURE_COLUMNS]
    actual, numerator, denominator = figures[1:4]
    assert (agreements[actual], agreements[numerator], agreements[denominator]) == (55, 11, 20)
    assert isinstance(agreements[actual], int | float)
    assert rows[2][header[1]] == "'=HYPERLINK(1)"  # escaped, never a formula
    child_header = [cell.value for cell in children[2]]
    code = child_header.index(str(UNIT_COLUMNS[0].header))
    child_rows = [[cell.value for cell in row] for row in children.iter_rows(min_row=3)]
    assert sorted(row[code] for row in child_rows if row[0] == "I.4") == ["DB-CS1", "DB-CS2"]
