"""The period a programme or a target covers: one year, a congress term, every year, or until replaced.

Periods are whole calendar years. An open bound (``None``) means "from whenever" or "with no end": a
resolution's "hàng năm" targets hold every year from its issue on, and a Party directive stays in force
until it is replaced.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIRST_YEAR, LAST_YEAR = 1930, 2200  # the union's founding year, and a bound against typos


class PeriodKind(models.TextChoices):
    YEAR = "year", gettext_lazy("One year")
    TERM = "term", gettext_lazy("Congress term")
    EVERY_YEAR = "every_year", gettext_lazy("Every year")
    STANDING = "standing", gettext_lazy("Until replaced")


@dataclass(frozen=True)
class Period:
    kind: str
    start: int | None = None
    end: int | None = None

    def errors(self) -> dict[str, str]:
        """What is wrong with this period, keyed by "kind", "start" or "end" (empty when it is sound)."""
        errors: dict[str, str] = {}
        for name, year in (("start", self.start), ("end", self.end)):
            if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
                errors[name] = _("A year between %(first)s and %(last)s is expected.") % {
                    "first": FIRST_YEAR,
                    "last": LAST_YEAR,
                }
        if errors:
            return errors
        if self.kind == PeriodKind.YEAR:
            if self.start is None:
                errors["start"] = _("A one-year period needs its year.")
            elif self.end is not None and self.end != self.start:
                errors["end"] = _("A one-year period ends in the year it starts.")
        elif self.kind == PeriodKind.TERM:
            if self.start is None:
                errors["start"] = _("A congress term needs its first year.")
            if self.end is None:
                errors["end"] = _("A congress term needs its last year.")
            elif self.start is not None and self.end <= self.start:
                errors["end"] = _("A congress term ends after the year it starts.")
        elif self.kind == PeriodKind.EVERY_YEAR:
            if self.start is not None and self.end is not None and self.end < self.start:
                errors["end"] = _("The last year is before the first.")
        elif self.kind == PeriodKind.STANDING:
            if self.end is not None:
                errors["end"] = _("A period until replaced has no last year.")
        else:
            errors["kind"] = _("Unknown kind of period.")
        return errors

    @property
    def first(self) -> int | None:
        return self.start

    @property
    def last(self) -> int | None:
        return self.start if self.kind == PeriodKind.YEAR else self.end

    @property
    def year(self) -> int | None:
        """The year, for a one-year period."""
        return self.start if self.kind == PeriodKind.YEAR else None

    def within(self, outer: "Period") -> "Period":
        """This period with its open bounds taken from ``outer`` ("every year" of the programme)."""
        if self.kind != PeriodKind.EVERY_YEAR:
            return self
        return Period(
            self.kind,
            self.start if self.start is not None else outer.first,
            self.end if self.end is not None else outer.last,
        )

    def covers(self, inner: "Period") -> bool:
        """Whether every year of ``inner`` (open bounds filled from this period) falls in this period."""
        inner = inner.within(self)
        starts_in = self.first is None or (inner.first is not None and inner.first >= self.first)
        ends_in = self.last is None or (inner.last is not None and inner.last <= self.last)
        return starts_in and ends_in

    def __str__(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return _("year %(year)s") % {"year": self.start}
        if self.kind == PeriodKind.TERM:
            return _("term %(start)s–%(end)s") % {"start": self.start, "end": self.end}
        if self.kind == PeriodKind.EVERY_YEAR:
            if self.start is not None and self.end is not None:
                return _("every year %(start)s–%(end)s") % {"start": self.start, "end": self.end}
            if self.start is not None:
                return _("every year from %(start)s") % {"start": self.start}
            return _("every year")
        if self.start is not None:
            return _("until replaced, from %(start)s") % {"start": self.start}
        return _("until replaced")
