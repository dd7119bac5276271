"""The change log: what the user's scope covers, one change with its before/after, per object, per unit."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for, restrict
from congdoan.audit.filtersets import ObjectChangeFilterSet
from congdoan.audit.models import ObjectChange
from congdoan.audit.selectors import as_seen_by
from congdoan.units.models import Unit

PAGE_SIZE = 50


def _changes(user):
    return restrict(ObjectChange.objects.select_related("content_type", "unit"), user)


def _render_list(request, changes, *, heading: str, subject=None):
    filterset = ObjectChangeFilterSet(request.GET or None, queryset=changes)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/change_list.html",
        {"filterset": filterset, "page": page, "heading": heading, "subject": subject},
    )


@require_safe
def change_list(request):
    return _render_list(request, _changes(request.user), heading=_("Change log"))


@require_safe
def unit_changes(request, code: str):
    """Everything filed under one unit: the unit itself, its links, names, employers…"""
    unit = get_for(Unit.objects.all(), request.user, Action.VIEW, code=code)
    return _render_list(
        request,
        _changes(request.user).filter(unit=unit),
        heading=_("Changes filed under %(unit)s") % {"unit": unit},
        subject=unit,
    )


@require_safe
def object_changes(request, content_type_id: int, object_id: int):
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    changes = _changes(request.user).filter(content_type=content_type, object_id=object_id)
    latest = changes.first()
    if latest is None:  # every object has at least its creation logged: none visible means not theirs
        raise Http404(_("Not found, or outside your unit."))
    heading = _("Changes to %(object)s") % {"object": latest.object_repr}
    return _render_list(request, changes, heading=heading)


def _label(model, attname: str) -> str:
    """The field's own (translated) name, for a key of the stored snapshot."""
    if model is None:
        return attname
    for candidate in model._meta.concrete_fields:
        if candidate.attname == attname:
            return str(candidate.verbose_name)
    try:
        return str(model._meta.get_field(attname).verbose_name)
    except FieldDoesNotExist:
        return attname


@require_safe
def change_detail(request, pk: int):
    change = get_for(
        ObjectChange.objects.select_related("content_type", "unit", "user"), request.user, Action.VIEW, pk=pk
    )
    model = change.content_type.model_class()
    shown = as_seen_by(change, request.user)
    rows = [(_label(model, key), before, after) for key, before, after in shown.diff()]
    related = _changes(request.user).filter(request_id=change.request_id).exclude(pk=change.pk)[:50]
    return render(request, "audit/change_detail.html", {"change": change, "rows": rows, "related": related})
