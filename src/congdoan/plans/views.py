"""Programme pages (read only for now): the list in the user's scope, and one programme with all its parts."""

from django.core.paginator import Paginator
from django.shortcuts import render

from congdoan.plans import selectors
from congdoan.plans.filtersets import ProgrammeFilterSet
from congdoan.plans.tables import ProgrammeTable

PAGE_SIZE = 50


def programme_list(request):
    filterset = ProgrammeFilterSet(request.GET or None, queryset=selectors.programmes_for(request.user))
    table = ProgrammeTable(request.GET.get("sort"))
    page = Paginator(table.order(filterset.qs), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "plans/programme_list.html", {"filterset": filterset, "table": table, "page": page}
    )


def programme_detail(request, ref: str):
    programme = selectors.programme_for(request.user, ref)
    tasks = list(programme.tasks.all())
    units = [programme.unit_id, programme.issuer_unit_id]
    units += [r.unit_id for r in programme.general_responsibilities]
    units += [r.unit_id for task in tasks for r in task.responsibilities.all()]
    units += [r.unit_id for r in programme.recipients.all()]
    cited = [programme.parent_id, *(basis.document_id for basis in programme.bases.all())]
    context = {
        "programme": programme,
        "tasks": tasks,
        "visible_ids": selectors.visible_unit_ids(request.user, units),
        "visible_programmes": selectors.visible_programme_ids(request.user, cited),
    }
    return render(request, "plans/programme_detail.html", context)
