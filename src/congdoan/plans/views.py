"""Programme pages: the list, one programme with all its parts, and their editing.

A programme is seen by its own subtree and by the units below its unit (read only); it is changed by its
own unit and the units above (``services.check_may_edit``): anyone else opening an edit page, or posting
to one, gets 403 with the reason. Part forms open inline on the programme's page (htmx) and work as plain
pages without it.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from congdoan.accounts.models import Action
from congdoan.accounts.scope import restrict
from congdoan.plans import selectors, services
from congdoan.plans.filtersets import ProgrammeFilterSet
from congdoan.plans.forms import PART_FORMS, ProgrammeForm, TaskProgressForm
from congdoan.plans.models import Programme, Task
from congdoan.plans.tables import ProgrammeTable
from congdoan.units.models import Unit

PAGE_SIZE = 50


def _editable(request, ref: str) -> Programme:
    """A programme the user may change: 404 out of sight, 403 with the reason when only seen."""
    programme = selectors.programme_for(request.user, ref)
    services.check_may_edit(request.user, programme.unit)
    return programme


def _done(request, url: str):
    """After a write: back to ``url``, the whole page when the form was inline."""
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _detail_url(programme: Programme) -> str:
    return reverse("plans:detail", kwargs={"ref": programme.ref})


def _section_url(programme: Programme, kind: str) -> str:
    return f"{_detail_url(programme)}#{kind}-h"


@require_safe
def programme_list(request):
    filterset = ProgrammeFilterSet(request.GET or None, queryset=selectors.programmes_for(request.user))
    table = ProgrammeTable(request.GET.get("sort"))
    page = Paginator(table.order(filterset.qs), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "table": table,
        "page": page,
        "can_create": request.user.can(Action.CHANGE),
    }
    return render(request, "plans/programme_list.html", context)


@require_safe
def programme_detail(request, ref: str):
    user = request.user
    programme = selectors.programme_for(user, ref)
    tasks = list(programme.tasks.all())
    can_edit = services.may_edit(user, programme.unit)
    units = [programme.unit_id, programme.issuer_unit_id]
    units += [r.unit_id for r in programme.general_responsibilities]
    units += [r.unit_id for task in tasks for r in task.responsibilities.all()]
    units += [r.unit_id for r in programme.recipients.all()]
    cited = [programme.parent_id, *(basis.document_id for basis in programme.bases.all())]
    # Tasks the user reports on without changing the programme: those of a unit they may change.
    reported = set()
    if not can_edit:
        responsible = {r.unit_id for task in tasks for r in task.responsibilities.all() if r.unit_id}
        mine = set(
            restrict(Unit.objects.filter(pk__in=responsible), user, Action.CHANGE).values_list(
                "pk", flat=True
            )
        )
        reported = {task.pk for task in tasks if any(r.unit_id in mine for r in task.responsibilities.all())}
    context = {
        "programme": programme,
        "tasks": tasks,
        "visible_ids": selectors.visible_unit_ids(user, units),
        "visible_programmes": selectors.visible_programme_ids(user, cited),
        "can_edit": can_edit,
        "reported_tasks": reported,
    }
    return render(request, "plans/programme_detail.html", context)


def programme_create(request):
    if not request.user.can(Action.CHANGE):
        raise PermissionDenied(_("Your role does not allow this change."))
    form = ProgrammeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(user=request.user, spec=form.spec())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The programme %(programme)s was saved.") % {"programme": programme})
            return redirect(_detail_url(programme))
    return render(request, "plans/programme_form.html", {"form": form})


def programme_edit(request, ref: str):
    programme = _editable(request, ref)
    form = ProgrammeForm(request.POST or None, instance=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_programme(user=request.user, programme=programme, spec=form.spec())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The programme %(programme)s was saved.") % {"programme": programme})
            return redirect(_detail_url(programme))
    return render(request, "plans/programme_form.html", {"form": form, "programme": programme})


def programme_delete(request, ref: str):
    programme = _editable(request, ref)
    error = None
    if request.method == "POST":
        try:
            services.delete_programme(user=request.user, programme=programme)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request, _("The programme %(programme)s was deleted.") % {"programme": programme}
            )
            return redirect("plans:list")
    return render(request, "plans/programme_delete.html", {"programme": programme, "error": error})


# ------------------------------------------------------------------------------------------- parts


def _render_part_form(request, form, programme: Programme, kind: str, heading: str):
    """A part's form inline (htmx: the fragment, errors included) or as a page of its own."""
    template = "plans/_part_form.html" if request.htmx else "plans/part_form.html"
    context = {"form": form, "programme": programme, "kind": kind, "heading": heading, "action": request.path}
    return render(request, template, context)


def part_form(request, ref: str, kind: str, pk: int | None = None):
    model, form_class = PART_FORMS[kind]
    programme = _editable(request, ref)
    part = selectors.part_for(request.user, model, ref, pk) if pk is not None else model(programme=programme)
    form = form_class(request.POST or None, instance=part, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            if part.pk:
                services.update_part(user=request.user, part=part, values=form.values())
            else:
                services.add_part(user=request.user, programme=programme, model=model, values=form.values())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(part)s saved.") % {"part": model._meta.verbose_name.capitalize()})
            return _done(request, _section_url(programme, kind))
    name = model._meta.verbose_name
    heading = _("Edit %(part)s") % {"part": name} if part.pk else _("Add %(part)s") % {"part": name}
    return _render_part_form(request, form, programme, kind, heading)


def part_delete(request, ref: str, kind: str, pk: int):
    model, _form = PART_FORMS[kind]
    programme = _editable(request, ref)
    part = selectors.part_for(request.user, model, ref, pk)
    if request.method == "POST":
        services.delete_part(user=request.user, part=part)
        messages.success(request, _("%(part)s deleted.") % {"part": model._meta.verbose_name.capitalize()})
        return redirect(_section_url(programme, kind))
    return render(request, "plans/part_delete.html", {"programme": programme, "part": part, "kind": kind})


@require_POST
def part_move(request, ref: str, kind: str, pk: int):
    """One place up or down among the parts of its kind."""
    model, _form = PART_FORMS[kind]
    programme = _editable(request, ref)
    part = selectors.part_for(request.user, model, ref, pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    services.move_part(user=request.user, part=part, position=services.place_of(part) + step)
    return _done(request, _section_url(programme, kind))


def task_progress(request, ref: str, pk: int):
    """Status and evidence of a task, for the programme's unit and the units responsible for the task."""
    task = selectors.part_for(request.user, Task, ref, pk)
    services.check_may_report(request.user, task)
    form = TaskProgressForm(request.POST or None, instance=task, user=request.user, programme=task.programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_task_progress(user=request.user, task=task, **form.values())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The task's progress was saved."))
            return _done(request, _section_url(task.programme, "tasks"))
    template = "plans/_part_form.html" if request.htmx else "plans/part_form.html"
    context = {
        "form": form,
        "programme": task.programme,
        "part": task,
        "kind": "tasks",
        "action": request.path,
    }
    return render(request, template, context)
