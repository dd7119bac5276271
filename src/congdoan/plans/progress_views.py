"""Progress pages: a programme's targets for a unit, one target drilled down to the units under it (a table,
a bar chart, a monthly trend), the same as .xlsx, and the live targets panel of a unit's page.

Charts are inline SVG laid out here (no script library), sized by a viewBox so they fit a phone's width.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from congdoan.plans import allocation, progress
from congdoan.plans.forms import TREE_TODAY, RollUpQuery
from congdoan.plans.progress_exports import XLSX_TYPE, progress_workbook
from congdoan.units.selectors import today

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y"]


class ProgressQuery(RollUpQuery):
    """What a progress page, its export, the API and the command line are asked: unit, day and tree."""

    field_order = ["unit", "at", "tree"]

    unit = forms.CharField(label=gettext_lazy("Unit (code)"), required=False, max_length=40)
    at = forms.DateField(
        label=gettext_lazy("As of"),
        required=False,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    @property
    def on(self) -> datetime.date:
        return self.cleaned_data.get("at") or today()

    @property
    def unit_code(self) -> str:
        return self.cleaned_data.get("unit") or ""

    @cached_property
    def tail(self) -> str:
        """The day and tree of this view as a query string, to follow a unit's code in links (once: a
        page of a province's districts writes it in every row)."""
        return urlencode({"at": self.on.isoformat(), **({"tree": TREE_TODAY} if self.regroup_today else {})})


# ---------------------------------------------------------------------------------------------- charts

WIDTH = 360  # viewBox units; the SVG scales to the width of the page


@dataclass(frozen=True)
class Bar:
    row: progress.Progress
    y: int
    width: float
    target_x: float | None


def bar_chart(rows: list[progress.Progress]) -> dict | None:
    """One bar per unit with figures, its length the actual; a tick where its own target lies."""
    row_height, label_width = 34, WIDTH - 60
    shown = [row for row in rows if row.value is not None]
    if not shown:
        return None
    top = max(
        [row.value for row in shown] + [row.target_value for row in shown if row.target_value is not None]
    )
    scale = Decimal(label_width) / top if top else Decimal(0)
    bars = [
        Bar(
            row=row,
            y=index * row_height,
            width=float(row.value * scale),
            target_x=float(row.target_value * scale) if row.target_value is not None and top else None,
        )
        for index, row in enumerate(shown)
    ]
    return {"bars": bars, "width": WIDTH, "height": len(bars) * row_height, "label_width": label_width}


def trend_chart(target_row: progress.Progress, points: list[progress.TrendPoint]) -> dict | None:
    """The actual at each month end across the window; the target as a line (for a flow count, the pace
    line rising from nothing at the start to the target at the end)."""
    known = [point for point in points if point.value is not None]
    if not known:
        return None
    height, pad = 160, 24
    win = target_row.window
    goal = target_row.target_value
    top = max([point.value for point in known] + ([goal] if goal is not None else [])) or Decimal(1)
    span = (win.end - win.start).days or 1

    def x(day: datetime.date) -> float:
        return round(pad + (WIDTH - 2 * pad) * (day - win.start).days / span, 1)

    def y(value: Decimal) -> float:
        return round(float(height - pad - (height - 2 * pad) * value / top), 1)

    line = None
    if goal is not None:
        flow = progress.is_flow(target_row.target)
        line = {"x1": x(win.start), "y1": y(Decimal(0) if flow else goal), "x2": x(win.end), "y2": y(goal)}
    return {
        "width": WIDTH,
        "height": height,
        "points": " ".join(f"{x(point.day)},{y(point.value)}" for point in known),
        "dots": [{"x": x(point.day), "y": y(point.value), "point": point} for point in known],
        "goal": line,
        "top": top,
        "top_y": pad,
        "base_y": height - pad,
        "first": date_format(win.start, "m/Y"),
        "last": date_format(win.end, "m/Y"),
        "left": pad,
        "right": WIDTH - pad,
    }


# ----------------------------------------------------------------------------------------------- pages


def _context(request, programme, query: ProgressQuery) -> dict:
    unit = progress.unit_for(request.user, programme, query.unit_code, query.on)
    return {"programme": programme, "query": query, "unit": unit, "today": today()}


@require_safe
def programme_progress(request, ref: str):
    programme = progress.programme_of(request.user, ref)
    query = ProgressQuery(request.GET)
    context = _context(request, programme, query)
    context["rows"] = progress.programme_progress(
        programme=programme, unit=context["unit"], at=query.on, regroup_today=query.regroup_today
    )
    return render(request, "plans/progress/programme.html", context)


@require_safe
def target_progress(request, ref: str, pk: int):
    target = progress.target_of(request.user, ref, pk)
    query = ProgressQuery(request.GET)
    context = _context(request, target.programme, query)
    [drill] = progress.drill_downs(
        user=request.user,
        targets=[target],
        unit=context["unit"],
        at=query.on,
        regroup_today=query.regroup_today,
    )
    points = progress.trend(
        target=target, unit=context["unit"], at=query.on, regroup_today=query.regroup_today
    )
    split = allocation.current_allocation(target)
    moves = allocation.moved_since_split(split) if split else []
    context.update(
        target=target,
        drill=drill,
        bars=bar_chart(drill.children),
        trend=trend_chart(drill.own, points),
        points=points,
        definition=None if target.manual else progress.indicator_definition(target),
        split=split,
        moves=moves,
        may_split=bool(moves) and allocation.may_split(request.user, target),  # for the moves' notice only
    )
    return render(request, "plans/progress/target.html", context)


@require_safe
def progress_export(request, ref: str):
    programme = progress.programme_of(request.user, ref)
    query = ProgressQuery(request.GET)
    unit = progress.unit_for(request.user, programme, query.unit_code, query.on)
    drills = progress.drill_downs(
        user=request.user,
        targets=progress.targets_of(programme),
        unit=unit,
        at=query.on,
        regroup_today=query.regroup_today,
    )
    content = progress_workbook(programme=programme, unit=unit, on=query.on, drills=drills)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    name = f"tien-do-{programme.ref}-{unit.code}-{query.on.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def unit_live_targets(request, code: str):
    """The panel of a unit's page (loaded by htmx): its targets in force today, with light and percent."""
    unit = progress.unit_of(request.user, code)
    rows = progress.live_targets(user=request.user, unit=unit)
    template = "_live_targets.html" if request.htmx else "live.html"
    return render(request, f"plans/progress/{template}", {"unit": unit, "rows": rows, "today": today()})
