"""Stored windows stay right as records change: incrementally for facts, by going stale for the tree."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from congdoan.audit.models import ObjectChange
from congdoan.audit.services import log_many
from congdoan.indicators import engine
from congdoan.indicators.engine import actuals
from congdoan.indicators.models import IndicatorValue, IndicatorWindow, PendingChange
from congdoan.members import services as members
from congdoan.members.imports import services as imports
from congdoan.members.models import Member, MemberCard
from congdoan.units import services as units
from congdoan.units.models import Employer, Sector
from tests.factories import decision, found
from tests.indicators.builders import employ, join
from tests.members import listfiles
from tests.members.listfiles import cccd

D = datetime.date
YEAR_2024 = dict(start=D(2024, 1, 1), end=D(2024, 12, 31))


def value(indicator: str, unit, **period) -> Decimal | None:
    return actuals(indicator=indicator, unit_ids=[unit.pk], **period)[unit.pk].value


def window(indicator: str, **period) -> IndicatorWindow:
    return IndicatorWindow.objects.get(indicator=indicator, start=period.get("start"), end=period["end"])


def rows(stored: IndicatorWindow) -> dict[int, tuple]:
    return {
        unit_id: values
        for unit_id, *values in stored.values.values_list(
            "unit_id", "own_numerator", "own_denominator", "numerator", "denominator"
        )
        if any(values)
    }


def test_a_new_member_event_updates_the_stored_window_without_recomputing_it(small_tree):
    t = small_tree
    join(t["a"], D(2024, 3, 1))
    assert value("members_admitted", t["kg"], **YEAR_2024) == 1
    stored = window("members_admitted", **YEAR_2024)
    join(t["c"], D(2024, 5, 1))
    join(t["d"], D(2025, 1, 2))  # after the period: nothing to do for it
    assert value("members_admitted", t["national"], **YEAR_2024) == 2
    stored.refresh_from_db()
    assert window("members_admitted", **YEAR_2024).computed_at == stored.computed_at  # not recomputed
    assert not PendingChange.objects.filter(applied_at=None).exists()
    incremental = rows(stored)
    engine.compute_window(stored)
    assert rows(stored) == incremental


def test_changes_apply_when_the_transaction_commits(small_tree, django_capture_on_commit_callbacks):
    t = small_tree
    assert value("members", t["kg"], start=None, end=D(2030, 1, 1)) == 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        member = join(t["a"], D(2024, 3, 1))
        members.transfer_member(member=member, on=D(2024, 4, 1), to_unit=t["c"])
    assert callbacks == [engine.apply_pending]  # once for the whole transaction
    assert not PendingChange.objects.filter(applied_at=None).exists()  # applied on commit, not left
    assert window("members", end=D(2030, 1, 1)).values.get(unit_id=t["pq"].pk).numerator == 1


def test_changes_of_a_rolled_back_write_are_forgotten(small_tree):
    t = small_tree
    value("members", t["kg"], start=None, end=D(2030, 1, 1))
    with transaction.atomic():
        join(t["a"], D(2024, 3, 1))
        assert PendingChange.objects.exists()
        transaction.set_rollback(True)
    assert not PendingChange.objects.exists()
    assert value("members", t["kg"], start=None, end=D(2030, 1, 1)) == 0


def test_a_backdated_event_of_a_unit_merged_since_counts_for_its_successor(small_tree):
    t = small_tree
    units.merge_units(
        sources=[t["a"]], into=t["c"], effective_on=D(2024, 7, 1), decision=decision(D(2024, 7, 1))
    )
    assert value("members_admitted", t["pq"], **YEAR_2024) == 0
    join(t["a"], D(2024, 2, 1))  # recorded late, in the union as it stood then
    assert value("members_admitted", t["pq"], **YEAR_2024) == 1
    assert value("members_admitted", t["rg"], **YEAR_2024) == 0
    assert value("members_admitted", t["rg"], start=D(2024, 1, 1), end=D(2024, 6, 30)) == 1


def test_transfers_suspensions_and_corrections_reach_the_stocks(small_tree):
    t = small_tree
    on_end = dict(start=None, end=D(2030, 1, 1))
    an = join(t["a"], D(2024, 1, 1))
    assert (value("members", t["rg"], **on_end), value("female_members", t["national"], **on_end)) == (1, 0)
    members.transfer_member(member=an, on=D(2024, 6, 1), to_unit=t["d"])
    assert (value("members", t["rg"], **on_end), value("members", t["ag"], **on_end)) == (0, 1)
    members.update_member(member=an, gender="female")
    assert value("female_members", t["national"], **on_end) == 1
    members.end_membership(member=an, kind="retire", on=D(2024, 9, 1))
    assert value("members", t["national"], **on_end) == 0
    assert value("members", t["ag"], start=None, end=D(2024, 8, 31)) == 1


def test_employers_and_unit_sectors_refresh_what_reads_them(small_tree):
    t = small_tree
    new = found("CĐCS Công ty Giày Rạch Giá", "grassroots", t["rg"], on=D(2024, 3, 1), sector=Sector.FDI)
    assert value("enterprise_grassroots_founded_25", t["kg"], **YEAR_2024) == 0
    employer = employ(new, 30)
    assert value("enterprise_grassroots_founded_25", t["kg"], **YEAR_2024) == 1
    join(new, D(2024, 4, 1))
    assert value("unionisation_pct", t["rg"], start=None, end=D(2024, 12, 31)) == Decimal(100) / 30
    employer.workforce = 10
    employer.save()
    assert value("unionisation_pct", t["rg"], start=None, end=D(2024, 12, 31)) == 10
    assert value("enterprise_grassroots_founded_25", t["kg"], **YEAR_2024) == 0
    employer.workforce = 40
    employer.save()
    new.sector = Sector.PUBLIC_FULL
    new.save()
    assert value("enterprise_grassroots_founded_25", t["kg"], **YEAR_2024) == 0


def test_a_reorganisation_marks_only_the_windows_it_can_change(small_tree):
    t = small_tree
    join(t["c"], D(2024, 3, 1))
    before = value("members_admitted", t["pq"], start=D(2024, 1, 1), end=D(2024, 6, 30))
    after = value("members_admitted", t["pq"], **YEAR_2024)
    regrouped = value(
        "members_admitted", t["pq"], start=D(2024, 1, 1), end=D(2024, 6, 30), regroup_today=True
    )
    assert before == after == regrouped == 1
    units.move_units(
        units=[t["c"]], new_parent=t["rg"], effective_on=D(2024, 9, 1), decision=decision(D(2024, 9, 1))
    )
    stale = {(w.end, w.regroup_today): w.stale for w in IndicatorWindow.objects.all()}
    assert stale == {
        (D(2024, 6, 30), False): False,
        (D(2024, 12, 31), False): True,
        (D(2024, 6, 30), True): True,
    }
    assert value("members_admitted", t["pq"], start=D(2024, 1, 1), end=D(2024, 6, 30)) == 1
    assert value("members_admitted", t["rg"], **YEAR_2024) == 1
    assert (
        value("members_admitted", t["rg"], start=D(2024, 1, 1), end=D(2024, 6, 30), regroup_today=True) == 1
    )
    assert not IndicatorWindow.objects.filter(stale=True).exists()


def test_a_bulk_import_reaches_the_stored_windows(small_tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    t = small_tree
    assert value("members_admitted", t["kg"], **YEAR_2024) == 0
    names = ["Lê Văn Nhập", "Trần Văn Hai", "Phạm Văn Ba"]
    people = [
        [stt, name, D(1990, 5, 17), "Nam", "Kinh", cccd(1990, "male", stt), D(2024, 3, 1), "Đoàn viên"]
        for stt, name in enumerate(names, start=1)
    ]
    batch = imports.create_batch(
        file=listfiles.xlsx(tmp_path / "ds.xlsx", people), unit=t["a"], mode="add", user=None
    )
    imports.commit_batch(batch=imports.read_batch(batch=batch))
    assert value("members_admitted", t["kg"], **YEAR_2024) == 3
    assert value("members", t["rg"], start=None, end=D(2024, 12, 31)) == 3


def test_the_refresh_command_recomputes_stored_windows(small_tree):
    t = small_tree
    join(t["a"], D(2024, 3, 1))
    value("members_admitted", t["kg"], **YEAR_2024)
    value("members", t["kg"], start=None, end=D(2024, 12, 31))
    engine.apply_pending()  # as the join's commit would have (the test's transaction never commits)
    IndicatorValue.objects.all().delete()  # as if the stored rows had been lost
    out = StringIO()
    call_command("indicators", "refresh", "--indicator", "members_admitted", stdout=out)
    assert "1" in out.getvalue().split()  # one window, in whichever language the command speaks
    assert value("members_admitted", t["kg"], **YEAR_2024) == 1
    assert value("members", t["kg"], start=None, end=D(2024, 12, 31)) == 0  # not refreshed: still lost
    call_command("indicators", "refresh", "--stale-only", stdout=StringIO())
    assert value("members", t["kg"], start=None, end=D(2024, 12, 31)) == 0
    call_command("indicators", "refresh", stdout=StringIO())
    assert value("members", t["kg"], start=None, end=D(2024, 12, 31)) == 1
    with pytest.raises(CommandError):
        call_command("indicators", "refresh", "--indicator", "nobody_knows")


def test_bulk_writes_announced_through_the_change_log_reach_the_windows(small_tree):
    """Writers that skip the model signals (bulk_update, bulk_create) log their rows with ``log_many``."""
    t = small_tree
    an = join(t["a"], D(2024, 1, 1))
    employer = employ(t["a"], 4)
    on_end = dict(start=None, end=D(2024, 12, 31))
    assert (value("female_members", t["kg"], **on_end), value("unionisation_pct", t["kg"], **on_end)) == (
        0,
        25,
    )
    befores = [an.audit_snapshot(), employer.audit_snapshot()]
    an.gender, employer.workforce = "female", 2
    Member.objects.bulk_update([an], ["gender"])
    Employer.objects.bulk_update([employer], ["workforce"])
    log_many(action=ObjectChange.Action.UPDATE, objects=[an, employer], befores=befores)
    assert (value("female_members", t["kg"], **on_end), value("unionisation_pct", t["kg"], **on_end)) == (
        1,
        50,
    )


def test_saves_that_change_nothing_counted_note_nothing(small_tree):
    t = small_tree
    an = join(t["a"], D(2024, 1, 1))
    employer = employ(t["a"], 4)
    engine.apply_pending()
    members.update_member(member=an, phone="0912345678")
    employer.name = "Công ty TNHH Kiên Cường"
    employer.save()
    t["a"].address = "12 Nguyễn Trung Trực, Rạch Giá"
    t["a"].save()
    waiting = PendingChange.objects.filter(applied_at=None)
    assert not waiting.exists()
    members.update_member(member=an, gender="female")
    assert list(waiting.values_list("unit_id", "since", "reads")) == [(t["a"].pk, None, "members")]


def test_cards_issued_reach_the_card_renewal_indicator(small_tree):
    t = small_tree
    an, binh = join(t["a"], D(2024, 1, 1)), join(t["b"], D(2024, 1, 1))
    campaign = dict(start=D(2024, 1, 1), end=D(2024, 12, 31))
    assert value("members_with_new_card_pct", t["rg"], **campaign) == 0
    MemberCard.objects.create(
        member=an, number=f"{an.code}-01", card_type="regular", issued_on=D(2024, 5, 1), reason="new"
    )
    assert value("members_with_new_card_pct", t["rg"], **campaign) == 50
    members.update_member(member=binh, card_type="regular", card_issued_on=D(2024, 6, 1))
    assert value("members_with_new_card_pct", t["rg"], **campaign) == 100


def test_a_write_committed_while_a_window_is_computed_still_reaches_it(small_tree, monkeypatch):
    """The writer applies its change to the windows it can see: not to one still being computed, whose
    GROUP BY may have been read before the write committed. The window's catch-up takes it in."""
    t = small_tree
    read_before_the_commit = engine.own_values

    def own_values_then_a_write_elsewhere(*args, **kwargs):
        result = read_before_the_commit(*args, **kwargs)
        if "unit_ids" not in kwargs:  # the window's GROUP BY, not a refresh
            with transaction.atomic():
                join(t["a"], D(2024, 3, 1))
                # Applied by its writer, who could not see the window yet: marked, not refreshed here.
                PendingChange.objects.filter(applied_at=None).update(applied_at=timezone.now())
        return result

    monkeypatch.setattr(engine, "own_values", own_values_then_a_write_elsewhere)
    assert value("members_admitted", t["kg"], **YEAR_2024) == 1
    monkeypatch.undo()
    stored = window("members_admitted", **YEAR_2024)
    caught_up = rows(stored)
    engine.compute_window(stored)
    assert rows(stored) == caught_up


def test_applied_change_notes_are_kept_an_hour(small_tree):
    t = small_tree
    join(t["a"], D(2024, 3, 1))
    engine.apply_pending()
    assert PendingChange.objects.filter(applied_at__isnull=False).count() == 1
    PendingChange.objects.update(
        applied_at=timezone.now() - engine.KEEP_APPLIED - datetime.timedelta(seconds=1)
    )
    join(t["b"], D(2024, 3, 1))
    engine.apply_pending()
    assert PendingChange.objects.filter(unit_id=t["a"].pk).count() == 0
    assert PendingChange.objects.filter(unit_id=t["b"].pk).count() == 1
