"""``congdoan progress``: the JSON keys, the terminal table, and bad input refused with exit status 2."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.plans import test_progress_pages
from tests.plans.test_progress_pages import MID_2020

progress_world = test_progress_pages.progress_world  # the fixture, shared with the pages' tests

KEYS = {"ref", "text", "value", "kind", "comparator", "indicator", "manual", "actual", "percent", "met"}
KEYS |= {"target_for_unit", "pace", "light", "period"}


def run(*args) -> str:
    out = StringIO()
    call_command("progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_json_lists_each_target_with_its_progress(progress_world):
    rows = json.loads(
        run("--programme", "DB-579-CV-2019", "--unit", "DB", "--at", MID_2020, "--format", "json")
    )
    assert len(rows) == 3 and all(row.keys() >= KEYS for row in rows)
    agreements = rows[0]
    assert (agreements["ref"], agreements["value"], agreements["kind"], agreements["comparator"]) == (
        "I.4",
        70,
        "percent",
        ">=",
    )
    assert agreements["actual"] == 55 and agreements["percent"] == 78.57 and agreements["met"] is False
    assert agreements["manual"] is True and agreements["indicator"] is None
    assert rows[1]["indicator"] == "members_admitted" and rows[1]["actual"] == 3


def test_json_for_every_seed_programme(progress_world):
    for ref, unit, count in (
        ("LC-324-KH-2022", "LC", 9),
        ("KG-NQ-2020", "KG", 18),
        ("HN-76-TB-2021", "HN", 0),
    ):
        rows = json.loads(run("--programme", ref, "--unit", unit, "--format", "json"))
        assert len(rows) == count
        assert all(row.keys() >= KEYS for row in rows)


def test_children_and_todays_tree(progress_world):
    rows = json.loads(
        run(
            "--programme",
            "DB-579-CV-2019",
            "--unit",
            "DB-DBP",
            "--at",
            MID_2020,
            "--today-tree",
            "--children",
            "--format",
            "json",
        )
    )
    assert {child["unit"] for child in rows[0]["children"]} == {"DB-CS1", "DB-CS2"}


def test_the_table_is_readable(progress_world):
    table = run("--programme", "DB-579-CV-2019", "--unit", "DB-DBP", "--at", MID_2020, "--children")
    assert "DB-CS1" in table and "55" in table and "tỷ lệ CĐCS doanh nghiệp" in table
    assert "30/06/2020" in table.splitlines()[0]


@pytest.mark.parametrize(
    "args",
    [
        ("--programme", "KHONG-CO", "--unit", "DB"),
        ("--programme", "DB-579-CV-2019", "--unit", "KHONG-CO"),
        ("--programme", "DB-579-CV-2019", "--unit", "KG"),  # not under the programme's unit
        ("--programme", "DB-579-CV-2019", "--unit", "DB", "--at", "31/02/2020"),
        ("--programme", "DB-579-CV-2019", "--unit", "DB", "--user", "khong-co"),
    ],
)
def test_bad_input_is_refused_with_exit_status_2(progress_world, args):
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert refused.value.returncode == 2 and str(refused.value)


def test_the_console_command_exits_with_status_2(progress_world):
    """Through ``congdoan`` itself: the message on stderr, status 2 (a date is refused before any query)."""
    finished = subprocess.run(
        [
            Path(sys.executable).with_name("congdoan"),
            "progress",
            "--programme",
            "X",
            "--unit",
            "Y",
            "--at",
            "hôm qua",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 2, finished.stderr
    assert "--at" in finished.stderr
