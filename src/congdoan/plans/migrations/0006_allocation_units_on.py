"""Allocation.units_on: the day whose units a revision is split among, stored with the revision.

Existing revisions get the day ``allocation.reference_day`` gave when they were made (the day of the split
standing for "today"). The rule is copied here as it stands, on purpose: a migration keeps what it meant.
"""

import datetime

from django.db import migrations, models
from django.utils import timezone


def _years(target) -> tuple[int | None, int | None]:
    """The target's first and last year (``Target.period``: its own period within the programme's)."""
    programme = target.programme
    first, last = programme.period_start, programme.period_end
    if programme.period_kind == "year":
        last = first
    if target.period_kind:
        if target.period_kind == "every_year":
            first = target.period_start if target.period_start is not None else first
            last = target.period_end if target.period_end is not None else last
        else:
            first = target.period_start
            last = first if target.period_kind == "year" else target.period_end
    return first, last


def _units_on(allocation) -> datetime.date:
    target = allocation.target
    made_on = timezone.localtime(allocation.created_at).date()
    kind = target.period_kind or target.programme.period_kind
    if kind == "every_year":
        first = last = made_on.year
    else:
        first, last = _years(target)
    start = datetime.date(first, 1, 1) if first is not None else None
    end = datetime.date(last, 12, 31) if last is not None else None
    base_on = allocation.base_on if allocation.method == "members" else None
    if (
        base_on is not None
        and base_on <= made_on
        and (start is None or start <= base_on)
        and (end is None or base_on <= end)
    ):
        return base_on
    if start is not None and start <= made_on:
        return start
    return made_on


def fill_units_on(apps, schema_editor):
    Allocation = apps.get_model("plans", "Allocation")
    for allocation in Allocation.objects.select_related("target__programme").iterator():
        allocation.units_on = _units_on(allocation)
        allocation.save(update_fields=["units_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0005_allocation_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="allocation",
            name="units_on",
            field=models.DateField(null=True, verbose_name="units as they stood on"),
        ),
        migrations.RunPython(fill_units_on, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="allocation",
            name="units_on",
            field=models.DateField(
                help_text="The day of the tree whose units directly under the programme's unit the split is among.",
                verbose_name="units as they stood on",
            ),
        ),
    ]
