import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from congdoan.accounts.models import Role, User
from congdoan.units import services
from congdoan.units.models import Unit
from tests.factories import decision

MERGER = datetime.date(2025, 7, 1)


def units_list(*args: str) -> str:
    out = StringIO()
    call_command("units", "list", *args, stdout=out)
    return out.getvalue()


def listed(*args: str) -> list[dict]:
    return json.loads(units_list("--format", "json", *args))


@pytest.fixture
def merged(small_tree):
    """Kiên Giang merged into An Giang on 01/07/2025; Rạch Giá renamed the same day."""
    t = small_tree
    services.rename_unit(
        unit=t["rg"], name="Công đoàn phường Rạch Giá", effective_on=MERGER, decision=decision(MERGER)
    )
    services.merge_units(sources=[t["kg"]], into=t["ag"], effective_on=MERGER, decision=decision(MERGER))
    return t


def test_json_has_the_fields_in_tree_order(small_tree):
    rows = listed("--at", "2025-06-30")
    assert [row["code"] for row in rows] == [
        "TLD",
        "AG",
        "AG-LX",
        "AG-LX-01",
        "KG",
        "KG-PQ",
        "KG-PQ-01",
        "KG-RG",
        "KG-RG-01",
        "KG-RG-02",
    ]
    first = rows[0]
    assert first["name"] == "Tổng Liên đoàn Lao động Việt Nam"
    assert first["parent"] is None and first["level"] == "national" and first["type"] == "t-national"
    leaf = next(row for row in rows if row["code"] == "KG-RG-01")
    assert leaf["parent"] == "KG-RG" and leaf["level"] == "grassroots" and leaf["type"] == "t-grassroots"


def test_json_is_utf8_unescaped(small_tree):
    assert "Liên đoàn Lao động tỉnh Kiên Giang" in units_list("--format", "json")


def test_under_and_at_read_the_tree_as_it_stood(merged):
    before = listed("--under", "KG", "--at", "2025-06-30")
    assert [row["code"] for row in before] == ["KG", "KG-PQ", "KG-PQ-01", "KG-RG", "KG-RG-01", "KG-RG-02"]
    rg_before = next(row for row in before if row["code"] == "KG-RG")
    assert rg_before["parent"] == "KG" and rg_before["name"] == "Liên đoàn Lao động thành phố Rạch Giá"
    after = listed("--under", "AG", "--at", "2025-07-01")
    rg_after = next(row for row in after if row["code"] == "KG-RG")
    assert rg_after["parent"] == "AG" and rg_after["name"] == "Công đoàn phường Rạch Giá"
    assert "KG" not in {row["code"] for row in after}
    assert {row["code"] for row in listed("--at", "2025-07-01")} == {row["code"] for row in listed()}


def test_table_indents_children(small_tree):
    table = units_list("--under", "KG-RG")
    assert "KG-RG-01" in table and "  Công đoàn cơ sở Trường THPT Nguyễn Trung Trực" in table


def test_a_user_sees_only_their_subtree(small_tree):
    User.objects.create_user(username="pq", password="x", unit=small_tree["pq"], role=Role.VIEWER)
    assert [row["code"] for row in listed("--user", "pq")] == ["KG-PQ", "KG-PQ-01"]
    with pytest.raises(CommandError, match="KG-RG"):
        listed("--user", "pq", "--under", "KG-RG")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--under", "NOPE"], "NOPE"),
        (["--at", "2025-13-01"], "2025-13-01"),
        (["--at", "hôm qua"], "hôm qua"),
        (["--under", "KG", "--at", "2018-12-31"], "KG"),
        (["--user", "nobody"], "nobody"),
    ],
)
def test_bad_input_is_refused_naming_it(small_tree, args, named):
    with pytest.raises(CommandError) as error:
        units_list(*args)
    assert named in str(error.value)


def test_dates_in_vietnamese_order_are_read_too(merged):
    assert listed("--at", "30/06/2025") == listed("--at", "2025-06-30")
    assert Unit.objects.get(code="KG").dissolved_on == MERGER
