"""``congdoan programmes list|import``."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from congdoan.accounts.models import Role
from congdoan.plans.services import seed_files


def run(*args) -> str:
    out = StringIO()
    call_command("programmes", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_then_list_as_json(provinces):
    assert run("import", "--seeds").splitlines() == [
        "DB-579-CV-2019: tạo mới",
        "LC-324-KH-2022: tạo mới",
        "KG-NQ-2020: tạo mới",
        "HN-76-TB-2021: tạo mới",
        "DB-CT-TU-2021: tạo mới",
    ]
    again = run("import", *map(str, seed_files())).splitlines()
    assert all(line.endswith(": không thay đổi") for line in again)
    listed = {p["ref"]: p for p in json.loads(run("list", "--format", "json"))}
    assert {ref: (p["kind"], p["year"], len(p["targets"])) for ref, p in listed.items()} == {
        "DB-579-CV-2019": ("official_letter", 2020, 3),
        "LC-324-KH-2022": ("plan", None, 9),
        "KG-NQ-2020": ("resolution", 2020, 18),
        "HN-76-TB-2021": ("notice", 2021, 0),
        "DB-CT-TU-2021": ("directive", None, 0),
    }
    assert listed["DB-CT-TU-2021"]["issuer"] == "Ban Thường vụ Tỉnh ủy Điện Biên"
    assert listed["DB-CT-TU-2021"]["unit"] == "DB" and listed["DB-CT-TU-2021"]["issuer_unit"] is None
    first = listed["KG-NQ-2020"]["targets"][0]
    assert first == {
        "ref": "I.1",
        "text": "kết nạp mới 5.821 đoàn viên",
        "value": 5821,
        "kind": "count",
        "comparator": ">=",
        "subject": "đoàn viên kết nạp mới",
        "denominator": "",
        "filter": "",
        "period": None,
        "indicator": "members_admitted",
        "manual": False,
    }
    assert listed["LC-324-KH-2022"]["targets"][0]["period"] is not None  # "hàng năm"


def test_list_as_a_table(provinces):
    run("import", "--seeds")
    table = run("list", "--format", "table")
    assert "579/CV-LĐLĐ" in table and "16/10/2019" in table
    assert len(table.splitlines()) == 2 + 5


def test_list_for_a_user_shows_their_subtree_only(provinces, user_at):
    run("import", "--seeds")
    user_at(provinces["LC"], Role.VIEWER)
    listed = json.loads(run("list", "--format", "json", "--user", "viewer-LC"))
    assert [p["ref"] for p in listed] == ["LC-324-KH-2022"]


def test_a_bad_file_fails_naming_the_file_and_the_place(provinces, tmp_path):
    bad = tmp_path / "bad.json"
    data = json.loads(seed_files()[0].read_text(encoding="utf-8"))
    data["targets"][0]["value"] = 170
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        run("import", str(bad), str(tmp_path / "missing.json"))
    lines = str(failed.value).splitlines()
    assert lines[0].startswith(f"{bad}: targets[0].value: ")
    assert lines[1].startswith(f"{tmp_path / 'missing.json'}: ")


def test_import_needs_a_file(db):
    with pytest.raises(CommandError):
        run("import")
