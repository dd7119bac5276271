import importlib
from functools import partial
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils.formats import number_format

from congdoan.accounts.models import User
from congdoan.audit.models import ObjectChange
from congdoan.demo.console import load_demo
from congdoan.demo.logins import DEMO_PASSWORD, DEMO_USERS
from congdoan.demo.members import workforce_for
from congdoan.members.models import EventKind, Member, MemberEvent
from congdoan.units.models import Decision, Employer, Unit, UnitLink
from tests.demo.sizes import SMALL

demo_command = importlib.import_module("congdoan.demo.management.commands.demo")
seed_demo_command = importlib.import_module("congdoan.demo.management.commands.seed-demo")


@pytest.fixture
def small_demo(monkeypatch):
    """`congdoan demo` with the small test sizes: the full demo's size is measured, not tested."""
    monkeypatch.setattr(demo_command, "load_demo", partial(load_demo, members=SMALL))


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def state() -> tuple:
    return tuple(model.objects.count() for model in (Unit, UnitLink, Employer, Decision, User, ObjectChange))


def test_demo_without_serving_loads_once_and_prints_the_logins(db, small_demo):
    first = run("demo", "--no-serve")
    after_first = state()
    assert after_first[0] > 100
    for username, role, code in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.role == role and user.check_password(DEMO_PASSWORD)
        assert code is None or user.unit.code == code
        assert username in first
    assert DEMO_PASSWORD in first
    chair = User.objects.get(username="cdcs.chair")
    assert chair.unit.unit_type.level == "grassroots" and chair.unit.is_active

    second = run("demo", "--no-serve")
    assert state() == after_first
    assert all(username in second for username, _role, _code in DEMO_USERS)


def test_demo_hands_over_to_runserver_on_localhost_with_debug(db, small_demo, monkeypatch):
    started = []
    monkeypatch.setattr(demo_command.connections, "close_all", lambda: None)
    monkeypatch.setattr(demo_command.os, "execve", lambda path, argv, env: started.append((path, argv, env)))
    run("demo", "--port", "8123")
    [(path, argv, env)] = started
    assert argv[0] == path and argv[-2:] == ["runserver", "127.0.0.1:8123"]
    assert env["DEBUG"] == "1" and env["CONGDOAN_DEMO"] == "1"


def test_demo_refuses_a_port_out_of_range(db):
    with pytest.raises(CommandError):
        run("demo", "--port", "70000", "--no-serve")


def test_seed_demo_creates_the_members_asked_for_in_the_province(db, monkeypatch):
    def small_load(stdout, *, seed, members=None, people=None):  # the other provinces small
        load_demo(stdout, seed=seed, members={**SMALL, **(members or {})}, people=people)

    monkeypatch.setattr(seed_demo_command, "load_demo", small_load)
    out = run("seed-demo", "--members", "1500", "--seed", "3", "--province", "kien giang")
    workforce = Employer.objects.filter(area__parent__parent__code="91").aggregate(n=Sum("workforce"))["n"]
    assert workforce == workforce_for(1500) < 1500
    joined = MemberEvent.objects.filter(
        kind__in=[EventKind.REGISTER, EventKind.ADMIT, EventKind.TRANSFER_IN],
        other_unit__isnull=True,
        unit__code__startswith="KG-",
    )
    assert joined.values("member").distinct().count() == 1500
    assert Member.objects.count() > 1500  # the other provinces have theirs
    assert number_format(Member.objects.count(), force_grouping=True) in out
    with pytest.raises(CommandError):
        run("seed-demo", "--members", "1500")  # the database is no longer empty


@pytest.mark.parametrize(
    ("args", "named"), [(["--province", "Atlantis"], "Atlantis"), (["--members", "10"], "--members")]
)
def test_seed_demo_refuses_bad_input(db, args, named):
    with pytest.raises(CommandError, match=named):
        run("seed-demo", *args)
    assert not Unit.objects.exists()
