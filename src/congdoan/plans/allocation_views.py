"""Pages to split a target among the units below (with its revisions), to adopt a share, and to enter figures.

A target is read in the user's scope (its programme's unit or below it, 404 otherwise); splitting it needs
the right to change the programme, adopting a share the right to change the unit it was allocated to,
entering a figure the right to change the unit the figure is for. The services refuse the rest.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for
from congdoan.plans import allocation, reported
from congdoan.plans.allocation_forms import AllocationForm, FigureForm, FiguresQuery
from congdoan.plans.models import AllocationShare, Target
from congdoan.plans.services import check_may_edit


def _target(user, pk: int) -> Target:
    return get_for(Target.objects.select_related("programme__unit"), user, Action.VIEW, pk=pk)


def target_allocation(request, pk: int):
    """The split in force with its sum check, the older revisions, and a form for a new split."""
    target = _target(request.user, pk)
    may_split = allocation.may_split(request.user, target)
    day = allocation.reference_day(target)
    children = allocation.sharing_units(target.programme.unit, day) if target.programme.unit else []
    form = AllocationForm(request.POST or None, target=target, children=children) if may_split else None
    if request.method == "POST":
        check_may_edit(request.user, target.programme.unit)
        if form.is_valid():
            try:
                made = allocation.allocate(
                    user=request.user,
                    target=target,
                    method=form.cleaned_data["method"],
                    base_on=form.cleaned_data.get("base_on"),
                    values=form.values(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request, _("Split no. %(revision)s is in force.") % {"revision": made.revision}
                )
                return redirect("plans:target-allocation", pk=target.pk)
    history = allocation.revisions(target)
    current = history[0] if history else None
    return render(
        request,
        "plans/allocation/target.html",
        {
            "target": target,
            "programme": target.programme,
            "current": current,
            "check": allocation.sum_check(target, current) if current else None,
            "moves": allocation.moved_since_split(current) if current else [],
            "older": history[1:],
            "form": form,
            "children": children,
            "day": day,
        },
    )


@require_safe
def my_shares(request):
    """The shares allocated to the units in the user's scope by the splits in force, adopted or not."""
    shares = list(allocation.current_shares_for(request.user)[:500])
    for share in shares:
        share.adopted_as = allocation.adopted_target(share)
    return render(request, "plans/allocation/shares.html", {"shares": shares})


@require_POST
def adopt_share(request, pk: int):
    share = get_for(
        AllocationShare.objects.select_related("unit", "allocation"), request.user, Action.CHANGE, pk=pk
    )
    try:
        adoption = allocation.adopt_share(user=request.user, share=share)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:my-shares")
    if adoption.changed:
        messages.success(
            request,
            _("%(unit)s took its share into %(programme)s.")
            % {"unit": share.unit, "programme": adoption.target.programme},
        )
    else:
        messages.info(request, _("%(unit)s already holds this share.") % {"unit": share.unit})
    return redirect("plans:detail", ref=adoption.target.programme.ref)


def target_figures(request, pk: int):
    """A target entered by hand: each unit's figure (entered, or summed from below), the figures entered,
    and a form to enter one."""
    user = request.user
    target = _target(user, pk)
    query = FiguresQuery(request.GET)
    end = reported.window_end(target, query.day)
    start = reported.window_start(target, end)
    regroup = query.regroup_today
    form = None
    if target.manual and user.can(Action.CHANGE):
        form = FigureForm(request.POST or None, user=user, target=target)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Your role does not allow this change."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                reported.enter_figure(
                    user=user,
                    target=target,
                    unit=data["unit"],
                    stands_on=data["stands_on"],
                    numerator=data["numerator"],
                    denominator=data.get("denominator"),
                    note=data["note"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The figure of %(unit)s was saved.") % {"unit": data["unit"]})
                return redirect("plans:target-figures", pk=target.pk)
    home = target.programme.unit
    rows = reported.rows_for(home, end=end, regroup_today=regroup) if home else []
    figures = reported.rolled_up(
        target=target, start=start, end=end, unit_ids=[unit.pk for unit in rows], regroup_today=regroup
    )
    return render(
        request,
        "plans/reported/target.html",
        {
            "target": target,
            "programme": target.programme,
            "rows": [(unit, figures.get(unit.pk)) for unit in rows],
            "figures": reported.figures_for(user, target)[:200],
            "form": form,
            "start": start,
            "end": end,
            "regroup": regroup,
            "query": query,
        },
    )
