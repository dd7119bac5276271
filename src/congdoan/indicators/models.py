"""Materialised indicator results: one window (indicator, period, tree) and one row per unit in it.

A window holds, for each unit that has anything, its *own* value (the facts that belong to the unit
itself) and its *rolled* value (the own values of every unit placed in its subtree, the tree as it stood
on the window's end, or today's tree). Rows with nothing are not stored: a missing row reads as zero.
These are derived rows, like ``Membership``: rebuilt from the records at any time, so not change-logged.
"""

from django.db import models
from django.db.models import Q


class IndicatorWindow(models.Model):
    indicator = models.CharField(max_length=80)
    # The indicator's parameters' values, "name=value" joined by "," (engine.parameters_key); "" for none.
    parameters = models.CharField(max_length=200, blank=True, default="")
    start = models.DateField(null=True, blank=True)  # None: from the beginning (and always for stocks)
    end = models.DateField()
    regroup_today = models.BooleanField(default=False)
    computed_at = models.DateTimeField()
    # A reorganisation moved units between subtrees: recompute the whole window when it is next read.
    stale = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "parameters", "start", "end", "regroup_today"],
                condition=Q(start__isnull=False),
                name="indicator_window_once",
            ),
            models.UniqueConstraint(
                fields=["indicator", "parameters", "end", "regroup_today"],
                condition=Q(start__isnull=True),
                name="indicator_window_once_open",
            ),
        ]
        indexes = [models.Index(fields=["end"])]

    def __str__(self) -> str:
        parameters = f" ({self.parameters})" if self.parameters else ""
        today = " (today)" if self.regroup_today else ""
        return f"{self.indicator}{parameters} {self.start or '…'} – {self.end}{today}"


class IndicatorValue(models.Model):
    window = models.ForeignKey(IndicatorWindow, on_delete=models.CASCADE, related_name="values")
    # A plain id, not a foreign key: these rows are a cache and must never hold a unit back.
    unit_id = models.IntegerField()
    own_numerator = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    own_denominator = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    numerator = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    denominator = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["window", "unit_id"], name="indicator_value_once")]

    def __str__(self) -> str:
        return f"{self.window} #{self.unit_id}: {self.numerator}/{self.denominator}"


class PendingChange(models.Model):
    """Facts of a unit changed from ``since`` on (None: at any date): its own values are due for refresh.

    Written in the same transaction as the change, so no change is lost; applied when that transaction
    commits, and before any indicator is read (``engine.apply_pending``). Applied notes are kept a while
    (``applied_at``): a window whose computation overlapped the commit redoes their units
    (``engine.catch_up``)."""

    unit_id = models.IntegerField()
    since = models.DateField(null=True, blank=True)
    reads = models.CharField(max_length=20)  # catalogue.MEMBERS, EMPLOYERS or TREE
    applied_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"#{self.unit_id} {self.reads} since {self.since or '…'}"
