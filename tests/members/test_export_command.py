"""`congdoan members export --full`: only roles that may take personal data out, each export logged, and a
refusal leaves no file behind."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from congdoan.accounts.models import Role, User
from congdoan.audit.models import PersonalDataAccess


def export(*args: str) -> str:
    err = io.StringIO()
    call_command("members", "export", *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def test_a_full_export_by_an_officer_is_logged_under_their_name(registry, tmp_path):
    officer = registry.world.users["officer"]
    out = tmp_path / "kg.json"
    said = export("--unit=KG", "--full", f"--user={officer.username}", f"--output={out}")
    access = PersonalDataAccess.objects.get()
    assert (access.action, access.user, access.unit.code) == ("export", officer, "KG")
    assert access.request_id and "json, 2" in access.detail
    assert "0912300001" in out.read_text()  # the phone in full
    assert said.strip() == "Đã xuất 2 đoàn viên."
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CHAIR])
def test_roles_without_the_right_are_refused_and_nothing_is_written(registry, tmp_path, role):
    user = next(u for u in registry.world.users.values() if u.role == role)
    out = tmp_path / "kg.csv"
    out.write_bytes(b"an earlier export")
    with pytest.raises(CommandError, match="--full"):
        export("--unit=KG-RG-01", "--full", f"--user={user.username}", f"--output={out}", "--format=csv")
    assert out.read_bytes() == b"an earlier export"  # not emptied
    assert not PersonalDataAccess.objects.exists()


def test_a_unit_outside_the_users_scope_is_refused_in_vietnamese(registry, tmp_path):
    outsider = registry.world.users["outsider"]  # An Giang
    out = tmp_path / "kg.xlsx"
    with translation.override("vi"), pytest.raises(CommandError, match="ngoài"):
        export("--unit=KG", f"--user={outsider.username}", f"--output={out}", "--format=xlsx")
    assert not out.exists() and not list(tmp_path.iterdir())


def test_unknown_users_and_units_are_named(registry):
    with pytest.raises(CommandError, match="«nobody»"):
        export("--unit=KG", "--user=nobody")
    with pytest.raises(CommandError, match="«XX»"):
        export("--unit=XX")
    assert not User.objects.filter(username="nobody").exists()


def test_an_output_that_cannot_be_written_is_named_and_leaves_nothing(registry, tmp_path):
    folder = tmp_path / "lists"
    folder.mkdir()
    with pytest.raises(CommandError, match="--output"):
        export("--unit=KG", f"--output={folder}")  # a folder, not a file
    with pytest.raises(CommandError, match="--output"):
        export("--unit=KG", f"--output={tmp_path / 'missing' / 'kg.json'}")
    assert [path.name for path in tmp_path.iterdir()] == ["lists"] and not list(folder.iterdir())
