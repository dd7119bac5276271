"""record_first_workforces: many employers' first dated figures at once write what record_workforce writes
for each (the figures, the employers' own fields, the change log, the indicators' notes), or nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange
from congdoan.indicators.catalogue import EMPLOYERS
from congdoan.indicators.models import PendingChange
from congdoan.units import services
from congdoan.units.models import Employer, EmployerWorkforce

D = datetime.date


@pytest.fixture
def employers(small_tree):
    """One of each case: an own figure counted before, after and on the day recorded, one with no day,
    and one with no figure of its own."""
    own = {
        "before": {"workforce": 80, "female_workforce": 30, "workforce_on": D(2018, 12, 31)},
        "after": {"workforce": 120, "female_workforce": 50, "workforce_on": D(2024, 12, 31)},
        "same day": {"workforce": 65, "female_workforce": 20, "workforce_on": D(2020, 6, 30)},
        "no day": {"workforce": 40, "female_workforce": 0, "workforce_on": None},
        "none": {"workforce": 0, "female_workforce": 0, "workforce_on": None},
    }
    units = [small_tree["a"], small_tree["b"], small_tree["a"], small_tree["b"], small_tree["a"]]
    return [
        Employer.objects.create(unit=unit, name=f"Công ty {name}", **fields)
        for unit, (name, fields) in zip(units, own.items(), strict=True)
    ]


def _figures(employers) -> list[services.FirstWorkforce]:
    return [
        services.FirstWorkforce(employer=employer, on=D(2020, 6, 30), workforce=100 + i, female_workforce=i)
        for i, employer in enumerate(employers)
    ]


def _written(employers) -> dict:
    """What the database holds of the employers' workforce, with the change log and the indicators' notes."""
    figures = EmployerWorkforce.objects.values_list("employer_id", "on", "workforce", "female_workforce")
    own = Employer.objects.filter(pk__in=[e.pk for e in employers])
    log = [
        (c.action, c.content_type_id, c.object_repr, c.unit_id, _without_ids(c.before), _without_ids(c.after))
        for c in ObjectChange.objects.all()
    ]
    # A figure notes its union from its day on, the employer's own fields at any date (None): the earliest
    # day of each union, and whether any date, say all of it.
    notes = (
        PendingChange.objects.filter(reads=EMPLOYERS)
        .values("unit_id")
        .annotate(earliest=Min("since"), any_date=Count("pk", filter=Q(since=None)))
    )
    return {
        "figures": sorted(figures),
        "own": sorted(own.values_list("pk", "workforce", "female_workforce", "workforce_on")),
        "log": sorted(log),
        "notes": {
            unit: (earliest, any_date > 0)
            for unit, earliest, any_date in notes.values_list("unit_id", "earliest", "any_date")
        },
    }


def _without_ids(snapshot: dict | None) -> tuple | None:
    return None if snapshot is None else tuple(sorted((k, v) for k, v in snapshot.items() if k != "id"))


def _after(write) -> dict:
    """What ``write`` adds to the database, read and then undone."""
    with transaction.atomic():
        ObjectChange.objects.all().delete()
        PendingChange.objects.all().delete()
        employers = list(Employer.objects.order_by("pk"))
        with change_context():
            write(employers)
        written = _written(employers)
        transaction.set_rollback(True)
    return written


def test_many_first_figures_write_what_one_by_one_writes(employers):
    def one_by_one(employers):
        for figure in _figures(employers):
            services.record_workforce(
                employer=figure.employer,
                on=figure.on,
                workforce=figure.workforce,
                female_workforce=figure.female_workforce,
            )

    def at_once(employers):
        services.record_first_workforces(figures=_figures(employers))

    expected = _after(one_by_one)
    assert len(expected["figures"]) == 8  # the own figures kept, less the one of the same day
    assert any(row[0] == "update" for row in expected["log"])  # a later figure replaced an own one
    written = _after(at_once)
    notes, expected_notes = written.pop("notes"), expected.pop("notes")
    assert written == expected
    # The indicators learn of every union from the same day: a bulk write of employers (``log_many``) notes
    # their unions at any date, even when only the day of their figure changed, which a save does not.
    assert notes.keys() == expected_notes.keys()
    for unit, (earliest, any_date) in expected_notes.items():
        assert notes[unit][0] == earliest
        assert notes[unit][1] or not any_date


def test_an_employer_with_dated_figures_or_twice_is_refused_and_nothing_is_written(employers):
    first = employers[0]
    services.record_workforce(employer=first, on=D(2021, 12, 31), workforce=90)
    before = list(EmployerWorkforce.objects.values_list("pk", flat=True))
    with pytest.raises(ValueError, match="dated figures"):
        services.record_first_workforces(figures=_figures(employers))
    doubled = _figures(employers[1:]) + _figures(employers[1:2])
    with pytest.raises(ValueError, match="one first figure"):
        services.record_first_workforces(figures=doubled)
    assert list(EmployerWorkforce.objects.values_list("pk", flat=True)) == before


def test_a_day_to_come_is_refused_naming_the_field_and_nothing_is_written(employers):
    figures = _figures(employers[1:])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    figures[-1] = services.FirstWorkforce(employer=employers[-1], on=tomorrow, workforce=5)
    with pytest.raises(ValidationError) as refused:
        services.record_first_workforces(figures=figures)
    assert "on" in refused.value.message_dict
    assert not EmployerWorkforce.objects.exists()
