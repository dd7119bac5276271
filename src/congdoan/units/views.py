"""Pages of the union tree: browsing it over time, a unit's page, plain edits and reorganisations.

Every object is fetched through the user's scope (``get_for``/``restrict``); writes go through the
services, or for plain facts through model forms (the change log records both).
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_safe

from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for, restrict
from congdoan.audit.models import ObjectChange
from congdoan.core.db import vi_order
from congdoan.core.text import sort_key
from congdoan.units import selectors, services
from congdoan.units.filtersets import DecisionFilterSet, EmployerFilterSet, UnitFilterSet
from congdoan.units.forms import (
    MAX_SPLIT_PARTS,
    AsOfForm,
    DecisionForm,
    DissolveForm,
    EmployerForm,
    MergeForm,
    MoveForm,
    RenameForm,
    SplitForm,
    UnitEditForm,
    WorkforceForm,
)
from congdoan.units.models import Decision, Employer, EmployerWorkforce, Level, Reorganisation, Unit
from congdoan.units.tables import DecisionTable, EmployerTable, UnitTable

PAGE_SIZE = 50
SEARCH_LIMIT = 20


def _paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# ------------------------------------------------------------------------------------------------ tree


@dataclass
class TreeRow:
    unit: Unit
    name: str  # as it was on the date shown
    child_count: int
    children: list["TreeRow"] | None = field(default=None)  # filled when the row is shown open


def _rows_from_links(links, on: datetime.date) -> list[TreeRow]:
    links = list(links)
    ids = [link.unit_id for link in links]
    counts = selectors.count_children_on(unit_ids=ids, on=on)
    names = selectors.names_on(unit_ids=ids, on=on)
    rows = [
        TreeRow(
            unit=link.unit,
            name=names[link.unit_id].name if link.unit_id in names else link.unit.name,
            child_count=counts.get(link.unit_id, 0),
        )
        for link in links
    ]
    return sorted(rows, key=lambda row: sort_key(row.name))


def _rows_from_units(units) -> list[TreeRow]:
    """Today's tree with ended units filed under their successors (``Unit.parent``)."""
    units = list(units)
    counts = dict(
        Unit.objects.filter(parent__in=units)
        .values("parent")
        .annotate(n=Count("id"))
        .values_list("parent", "n")
    )
    rows = [TreeRow(unit=unit, name=unit.name, child_count=counts.get(unit.pk, 0)) for unit in units]
    # Active units first, then the ended ones that were filed here.
    return sorted(rows, key=lambda row: (row.unit.dissolved_on is not None, sort_key(row.name)))


class TreeQuery:
    """One way of looking at the tree: on a date, or today's regrouped under successors."""

    def __init__(self, request):
        self.user = request.user
        self.form = AsOfForm(request.GET or None)
        self.on = self.form.on()
        self.regrouped = self.form.regrouped()
        self.query = urlencode({"at": self.on.isoformat(), **({"ended": "on"} if self.regrouped else {})})

    def roots(self) -> list[TreeRow]:
        if self.regrouped:
            units = selectors.units_for(self.user)
            if self.user.is_superuser:
                return _rows_from_units(units.filter(parent__isnull=True))
            return _rows_from_units(units.filter(pk=self.user.unit_id))
        links = selectors.links_on(user=self.user, on=self.on)
        if self.user.is_superuser:
            return _rows_from_links(links.filter(parent__isnull=True), self.on)
        # The tops of what the user sees that day: their unit, and units filed under it since (say the
        # units of a province merged into theirs), which then stood elsewhere.
        return _rows_from_links(links.exclude(parent_id__in=links.values("unit_id")), self.on)

    def children(self, unit: Unit) -> list[TreeRow]:
        if self.regrouped:
            return _rows_from_units(selectors.units_for(self.user).filter(parent=unit))
        return _rows_from_links(selectors.children_on(user=self.user, parent=unit, on=self.on), self.on)


@require_safe
def tree(request):
    view = TreeQuery(request)
    roots = view.roots()
    if len(roots) == 1 and roots[0].child_count:
        # Open the top one: it is what everyone expands first.
        roots[0].children = view.children(roots[0].unit)
    return render(
        request,
        "units/tree.html",
        {
            "form": view.form,
            "on": view.on,
            "is_today": view.on == selectors.today(),
            "regrouped": view.regrouped,
            "rows": roots,
            "tree_query": view.query,
        },
    )


@require_safe
def tree_children(request, code: str):
    view = TreeQuery(request)
    unit = get_for(Unit.objects.all(), request.user, Action.VIEW, code=code)
    return render(request, "units/_tree_rows.html", {"rows": view.children(unit), "tree_query": view.query})


@require_safe
def search(request):
    query = request.GET.get("q", "").strip()
    units = []
    if query:
        units = (
            selectors.units_for(request.user)
            .search(query)
            .order_by(F("dissolved_on").asc(nulls_first=True), "depth", vi_order("name"))[:SEARCH_LIMIT]
        )
    return render(request, "units/_search_results.html", {"units": units, "query": query})


@require_safe
def pick(request):
    """Suggestions for a unit picker: units the user may act on as the picker's field asks."""
    action = request.GET.get("action", Action.VIEW)
    if action not in Action.values:
        action = Action.VIEW
    query = request.GET.get("q", "").strip()
    units = []
    if query:
        units = selectors.units_for(request.user, action).search(query)
        if request.GET.get("active") == "1":
            units = units.active()
        units = units.order_by("depth", vi_order("name"))[:SEARCH_LIMIT]
    return render(request, "units/_pick_options.html", {"units": units, "query": query})


# ---------------------------------------------------------------------------------------------- lists


def _list_page(request, template: str, *, queryset, filterset_class, table_class, **extra):
    """A filtered (the shared filterset), sorted and paginated list of rows the user's scope allows."""
    filterset = filterset_class(request.GET or None, queryset=queryset)
    table = table_class(request.GET.get("sort"))
    page = _paginate(request, table.order(filterset.qs))
    return render(request, template, {"filterset": filterset, "table": table, "page": page, **extra})


@require_safe
def unit_list(request):
    return _list_page(
        request,
        "units/unit_list.html",
        queryset=selectors.units_for(request.user),
        filterset_class=UnitFilterSet,
        table_class=UnitTable,
    )


@require_safe
def employer_list(request):
    return _list_page(
        request,
        "units/employer_list.html",
        queryset=restrict(Employer.objects.select_related("unit"), request.user),
        filterset_class=EmployerFilterSet,
        table_class=EmployerTable,
    )


@require_safe
def decision_list(request):
    return _list_page(
        request,
        "units/decision_list.html",
        queryset=restrict(Decision.objects.select_related("issuer"), request.user),
        filterset_class=DecisionFilterSet,
        table_class=DecisionTable,
        can_create=request.user.can(Action.CHANGE),
    )


# ----------------------------------------------------------------------------------------- unit page


@require_safe
def detail(request, code: str):
    user = request.user
    unit = get_for(Unit.objects.select_related("unit_type", "area", "parent"), user, Action.VIEW, code=code)
    as_of = AsOfForm(request.GET or None)
    on = as_of.on()
    links = list(selectors.parent_history(unit))
    # The foundings of the units under it are theirs to show; a province would list hundreds of them here.
    reorganisations = list(
        selectors.reorganisations_of(unit).exclude(Q(kind=Reorganisation.Kind.FOUND) & ~Q(unit=unit))
    )
    successors = list(unit.successions.select_related("successor", "reorganisation__decision"))
    predecessors = list(unit.predecessions.select_related("predecessor", "reorganisation__decision"))
    mentioned = {link.parent_id for link in links} | {s.successor_id for s in successors}
    mentioned |= {s.predecessor_id for s in predecessors}
    mentioned |= {involved.unit_id for reorg in reorganisations for involved in reorg.involved.all()}
    employers = list(unit.employers.select_related("area"))
    totals = unit.employers.aggregate(workforce=Sum("workforce"), female=Sum("female_workforce"))
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "as_of": as_of,
            "on": on,
            "children": _rows_from_links(selectors.children_on(user=user, parent=unit, on=on), on),
            "links": links,
            "names": selectors.name_history(unit),
            "reorganisations": reorganisations,
            "successors": successors,
            "predecessors": predecessors,
            "successor_today": selectors.successor_today(unit) if unit.dissolved_on else None,
            "is_grassroots": unit.unit_type.level == Level.GRASSROOTS,
            "employers": employers,
            "totals": totals,
            "subtree": [
                (Level(level).label, count)
                for level, count in sorted(
                    selectors.subtree_counts(unit).items(), key=lambda item: Level.values.index(item[0])
                )
            ],
            "changes": restrict(ObjectChange.objects.for_object(unit), user)[:10],
            "visible_ids": set(
                selectors.units_for(user).filter(pk__in=mentioned).values_list("pk", flat=True)
            ),
            "can_change": user.can(Action.CHANGE),
            "can_reorganise": user.can(Action.REORGANISE),
        },
    )


def unit_edit(request, code: str):
    unit = get_for(Unit.objects.select_related("unit_type"), request.user, Action.CHANGE, code=code)
    form = UnitEditForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The unit's details were saved."))
        return redirect(unit)
    return render(request, "units/unit_form.html", {"form": form, "unit": unit})


# ----------------------------------------------------------------------------------------- employers


def employer_form(request, code: str | None = None, pk: int | None = None):
    if pk is not None:
        employer = get_for(Employer.objects.select_related("unit"), request.user, Action.CHANGE, pk=pk)
        unit = employer.unit
    else:
        unit = get_for(Unit.objects.select_related("unit_type"), request.user, Action.CHANGE, code=code)
        if unit.unit_type.level != Level.GRASSROOTS:
            raise Http404(_("Employers belong to grassroots unions only."))
        employer = Employer(unit=unit)
    form = EmployerForm(request.POST or None, instance=employer)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The employer %(name)s was saved.") % {"name": employer.name})
        return redirect(unit)
    context = {"form": form, "unit": unit, "employer": employer}
    if employer.pk:
        context |= _workforce_context(employer, WorkforceForm())
    return render(request, "units/employer_form.html", context)


def _workforce_context(employer: Employer, form: WorkforceForm) -> dict:
    return {"employer": employer, "workforce_form": form, "figures": employer.workforce_figures.all()}


def employer_workforce(request, pk: int):
    """Record an employer's workforce as counted on a day: inline on the employer's page (htmx swaps the
    history and the form back, errors included), or as a page of its own."""
    employer = get_for(Employer.objects.select_related("unit"), request.user, Action.CHANGE, pk=pk)
    form = WorkforceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_workforce(employer=employer, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if not request.htmx:  # inline, the new row of the history says it
                day = date_format(form.cleaned_data["on"], "SHORT_DATE_FORMAT")
                messages.success(
                    request,
                    _("The workforce of %(name)s on %(date)s was recorded.")
                    % {"name": employer.name, "date": day},
                )
                return redirect("units:employer_edit", pk=employer.pk)
            form = WorkforceForm()
    template = "units/_workforce.html" if request.htmx else "units/employer_workforce.html"
    return render(request, template, _workforce_context(employer, form))


def employer_workforce_remove(request, pk: int):
    """Remove a workforce figure recorded in error. Inline, htmx has asked to confirm and swaps the box
    back without the row; a plain POST without ``confirm`` (no JavaScript) shows a confirmation page
    first, then goes back to the employer's page."""
    figure = get_for(
        EmployerWorkforce.objects.select_related("employer__unit"), request.user, Action.CHANGE, pk=pk
    )
    employer = figure.employer
    if request.method != "POST" or "confirm" not in request.POST:
        return render(request, "units/employer_workforce_remove.html", {"figure": figure})
    services.remove_workforce(figure=figure)
    if request.htmx:
        return render(request, "units/_workforce.html", _workforce_context(employer, WorkforceForm()))
    day = date_format(figure.on, "SHORT_DATE_FORMAT")
    messages.success(
        request,
        _("The workforce of %(name)s on %(date)s was deleted.") % {"name": employer.name, "date": day},
    )
    return redirect("units:employer_edit", pk=employer.pk)


def employer_delete(request, pk: int):
    employer = get_for(Employer.objects.select_related("unit"), request.user, Action.CHANGE, pk=pk)
    if request.method == "POST":
        employer.delete()
        messages.success(request, _("The employer %(name)s was deleted.") % {"name": employer.name})
        return redirect(employer.unit)
    return render(request, "units/employer_delete.html", {"employer": employer})


# ----------------------------------------------------------------------------------------- decisions


def decision_create(request):
    if not request.user.can(Action.CHANGE):
        raise PermissionDenied(_("Your role does not allow this change."))
    form = DecisionForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            decision = form.record_decision()
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The decision %(decision)s was recorded.") % {"decision": decision})
            return redirect("units:decisions")
    return render(request, "units/decision_form.html", {"form": form})


@require_safe
def decision_file(request, pk: int):
    """A decision's file, for whoever sees the decision or a change made under it."""
    decision = get_object_or_404(Decision, pk=pk)
    visible = (
        restrict(Decision.objects.filter(pk=pk), request.user).exists()
        or restrict(Reorganisation.objects.filter(decision=decision), request.user).exists()
    )
    if not visible or not decision.file:
        raise Http404(_("Not found, or outside your unit."))
    return FileResponse(
        decision.file.open("rb"), as_attachment=False, filename=decision.file.name.rsplit("/", 1)[-1]
    )


# ----------------------------------------------------------------------------------- reorganisations


class ReorganiseView(View):
    """Fill in → preview (the change made and rolled back) → confirm (the change made for real).

    Refusals from the services come back on the form next to the field they name; nothing is kept.
    """

    form_class = None
    title = ""
    needs_subject = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.can(Action.REORGANISE):
            raise PermissionDenied(_("Your role does not allow reorganising units."))
        self.subject = None
        if self.needs_subject:
            self.subject = get_for(
                Unit.objects.select_related("unit_type", "parent"),
                request.user,
                Action.REORGANISE,
                code=kwargs["code"],
            )
        return super().dispatch(request, *args, **kwargs)

    def form_kwargs(self) -> dict:
        return {"user": self.request.user, "subject": self.subject}

    def initial(self) -> dict:
        return {}

    def render_form(self, form, status=200):
        return render(
            self.request,
            "units/reorganise_form.html",
            {"form": form, "title": self.title, "subject": self.subject},
            status=status,
        )

    def get(self, request, **kwargs):
        return self.render_form(self.form_class(initial=self.initial(), **self.form_kwargs()))

    def post(self, request, **kwargs):
        form = self.form_class(data=request.POST, files=request.FILES, **self.form_kwargs())
        if not form.is_valid() or "edit" in request.POST:
            return self.render_form(form)
        if "confirm" in request.POST:
            try:
                with transaction.atomic():
                    reorg = form.apply()
            except ValidationError as error:
                form.add_service_error(error)
                return self.render_form(form)
            messages.success(
                request,
                _("%(kind)s recorded, effective %(date)s.")
                % {
                    "kind": reorg.get_kind_display(),
                    "date": date_format(reorg.effective_on, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect(reorg.unit)
        try:
            preview = form.preview()
        except ValidationError as error:
            form.add_service_error(error)
            return self.render_form(form)
        return render(
            request,
            "units/reorganise_preview.html",
            {"form": form, "title": self.title, "subject": self.subject, "preview": preview},
        )


class MoveView(ReorganiseView):
    form_class = MoveForm
    title = gettext_lazy("Move units")

    def initial(self):
        code = self.request.GET.get("unit")
        return {"units": [code]} if code else {}


class MergeView(ReorganiseView):
    form_class = MergeForm
    title = gettext_lazy("Merge units")

    def initial(self):
        code = self.request.GET.get("unit")
        return {"sources": [code]} if code else {}


class RenameView(ReorganiseView):
    form_class = RenameForm
    title = gettext_lazy("Rename a unit")
    needs_subject = True


class DissolveView(ReorganiseView):
    form_class = DissolveForm
    title = gettext_lazy("End a unit")
    needs_subject = True


class SplitView(ReorganiseView):
    form_class = SplitForm
    title = gettext_lazy("Split a unit")
    needs_subject = True

    def form_kwargs(self):
        try:
            parts = int(self.request.GET.get("parts", 2))
        except ValueError:
            parts = 2
        return {**super().form_kwargs(), "parts": min(max(parts, 1), MAX_SPLIT_PARTS)}
