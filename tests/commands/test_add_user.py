import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from congdoan.accounts.models import Role, User
from congdoan.audit.models import ObjectChange
from congdoan.units import services
from tests.factories import decision

GOOD_PASSWORD = "Rach-Gia-2025-an-toan"


@pytest.fixture
def password(monkeypatch):
    def use(value: str):
        monkeypatch.setenv("CONGDOAN_PASSWORD", value)

    use(GOOD_PASSWORD)
    return use


def add_user(*args: str) -> None:
    call_command("add-user", *args)


def test_creates_a_user_with_the_password_from_the_environment(small_tree, password):
    add_user(
        "can.bo", "--unit", "KG-RG", "--role", "officer", "--first-name", "Lan", "--last-name", "Nguyễn Thị"
    )
    user = User.objects.get(username="can.bo")
    assert user.unit == small_tree["rg"] and user.role == Role.OFFICER
    assert user.check_password(GOOD_PASSWORD) and user.first_name == "Lan"
    change = ObjectChange.objects.for_object(user).get()
    assert change.action == ObjectChange.Action.CREATE
    assert "password" not in change.after


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["x.y", "--unit", "NOPE", "--role", "officer"], "NOPE"),
        (["x.y", "--unit", "KG", "--role", "boss"], "boss"),
        (["x y!", "--unit", "KG", "--role", "viewer"], str(User._meta.get_field("username").verbose_name)),
    ],
)
def test_bad_unit_role_or_name_is_refused_and_nothing_written(small_tree, password, args, named):
    with pytest.raises(CommandError) as error:
        add_user(*args)
    assert named in str(error.value)
    assert not User.objects.exists()


def test_weak_password_is_refused_in_vietnamese(small_tree, password):
    password("20252025202520")
    with translation.override("vi"), pytest.raises(CommandError) as error:
        add_user("yeu", "--unit", "KG", "--role", "viewer")
    assert "Mật khẩu: Mật khẩu này hoàn toàn là số." in str(error.value)
    assert not User.objects.exists()


def test_existing_user_name_and_ended_unit_are_refused(small_tree, password):
    add_user("lan", "--unit", "KG", "--role", "viewer")
    with pytest.raises(CommandError):
        add_user("lan", "--unit", "AG", "--role", "viewer")
    on = datetime.date(2025, 7, 1)
    services.merge_units(
        sources=[small_tree["kg"]], into=small_tree["ag"], effective_on=on, decision=decision(on)
    )
    with pytest.raises(CommandError, match="Kiên Giang"):
        add_user("hoa", "--unit", "KG", "--role", "viewer")
    assert list(User.objects.values_list("username", flat=True)) == ["lan"]


def test_without_a_password_and_without_a_terminal_it_stops(small_tree, monkeypatch):
    monkeypatch.delenv("CONGDOAN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="CONGDOAN_PASSWORD"):
        add_user("lan", "--unit", "KG", "--role", "viewer")
    assert not User.objects.exists()


def test_prompt_asks_twice(small_tree, monkeypatch):
    monkeypatch.delenv("CONGDOAN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError):
        add_user("lan", "--unit", "KG", "--role", "viewer")
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD])
    add_user("lan", "--unit", "KG", "--role", "viewer")
    assert User.objects.get(username="lan").check_password(GOOD_PASSWORD)
