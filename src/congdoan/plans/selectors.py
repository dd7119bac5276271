"""Reading programmes, always through the user's scope (a programme belongs to the unit it is filed under).

Seeing is wider than changing: a unit carries out the programmes of the units above it, so besides its
own subtree (``accounts.scope.restrict``, the one scope) a user *sees* the programmes filed under each
ancestor of their unit in today's tree — never those of a sibling. Only seeing: every change still needs
the programme to lie in the user's subtree (``services.check_may_edit``), so a district officer reads the
province's programme and is refused, with the reason, when trying to change it.
"""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from congdoan.accounts.models import Action
from congdoan.accounts.scope import restrict
from congdoan.plans import indicators_registry
from congdoan.plans.models import Basis, Programme, Recipient, Responsibility, Target, Task
from congdoan.units.models import Unit, UnitLink, path_prefixes, path_units


def programme_queryset(*, with_parts: bool = False) -> QuerySet[Programme]:
    """Programmes with their targets (and, ``with_parts``, everything else), before scope: restrict it."""
    programmes = (
        Programme.objects.select_related("unit", "issuer_unit")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("position")))
        .annotate(task_count=Count("tasks", distinct=True), deadline_count=Count("deadlines", distinct=True))
    )
    if not with_parts:
        return programmes
    responsibilities = Responsibility.objects.select_related("unit")
    return programmes.select_related("parent").prefetch_related(
        Prefetch("bases", queryset=Basis.objects.select_related("document")),
        Prefetch(
            "tasks", queryset=Task.objects.prefetch_related(Prefetch("responsibilities", responsibilities))
        ),
        Prefetch("responsibilities", responsibilities.filter(task=None), to_attr="general_responsibilities"),
        "deadlines",
        Prefetch("recipients", queryset=Recipient.objects.select_related("unit")),
    )


def ancestor_paths(unit: Unit) -> list[str]:
    """The paths of the units above ``unit`` in today's tree (its own excluded)."""
    return path_prefixes(unit.path)[:-1]


def visible(queryset: QuerySet[Programme], user) -> QuerySet[Programme]:
    """The programmes of ``queryset`` the user may see: their subtree's, and their ancestors' (read only)."""
    own = restrict(Programme.objects.all(), user, Action.VIEW)
    if user is None or not user.is_authenticated or user.is_superuser or user.unit_id is None:
        return queryset.filter(pk__in=own.values("pk"))
    if not user.can(Action.VIEW):
        return queryset.filter(pk__in=own.values("pk"))
    above = Q(unit__path__in=ancestor_paths(user.unit)) | former_ancestors(user.unit)
    return queryset.filter(Q(pk__in=own.values("pk")) | above)


def former_ancestors(unit: Unit) -> Q:
    """Programmes of the units ``unit`` stood under before today's tree, issued before it left them and
    running after it came: a grassroots union of a province merged away still reads the old province's
    resolutions it carried out (read only, like today's ancestors')."""
    condition = Q(pk__in=[])
    links = UnitLink.objects.filter(unit=unit, valid_to__isnull=False)
    for path, valid_from, valid_to in links.values_list("path", "valid_from", "valid_to"):
        condition |= Q(unit_id__in=path_units(path)[:-1], issued_on__lt=valid_to) & (
            Q(period_end__isnull=True) | Q(period_end__gte=valid_from.year)
        )
    return condition


def programmes_for(user) -> QuerySet[Programme]:
    return visible(programme_queryset(), user)


def programme_for(user, ref: str) -> Programme:
    """One programme with all its parts (404 when the user may not see it). Whether the user may change it
    is the services' question (``check_may_edit``), answered with the reason."""
    programme = visible(programme_queryset(with_parts=True), user).filter(ref=ref).first()
    if programme is None:
        raise Http404(_("Not found, or outside your unit."))
    return programme


def part_for(user, model, ref: str, pk: int):
    """One part (a target, a task…) of a programme the user may see, with its programme (404 otherwise)."""
    visible_programmes = visible(Programme.objects.all(), user)
    part = (
        model.objects.select_related("programme__unit")
        .filter(programme__ref=ref, programme__in=visible_programmes, pk=pk)
        .first()
    )
    if part is None:
        raise Http404(_("Not found, or outside your unit."))
    return part


def parts_for(user, model) -> QuerySet:
    """The parts of one kind in every programme the user may see."""
    return model.objects.select_related("programme__unit").filter(
        programme__in=visible(Programme.objects.all(), user)
    )


def visible_programme_ids(user, ids) -> set[int]:
    """Which of the programmes ``ids`` (a parent, a cited document) the user may see."""
    wanted = Programme.objects.filter(pk__in=[i for i in ids if i])
    return set(visible(wanted, user).values_list("pk", flat=True))


def indicator_choices() -> list[tuple[str, str]]:
    """The indicators a target may follow, as the catalogue registered them: (code, name)."""
    return [(info.code, info.name) for info in indicators_registry.known()]


def visible_unit_ids(user, ids) -> set[int]:
    return set(restrict(Unit.objects.filter(pk__in=[i for i in ids if i]), user).values_list("pk", flat=True))


def target_summary(target: Target) -> dict:
    own = target.own_period
    return {
        "ref": target.ref,
        "text": target.text,
        "value": target.whole_value if isinstance(target.whole_value, int) else float(target.whole_value),
        "kind": target.kind,
        "comparator": target.comparator,
        "subject": target.subject,
        "denominator": target.denominator,
        "filter": target.filter_text,
        "period": str(own.within(target.programme.period)) if own else None,
        "indicator": target.indicator or None,
        "manual": target.manual,
    }


def programme_summary(programme: Programme) -> dict:
    """A programme (as the selectors above return it) for the command line and exports.

    ``year`` is set for one-year programmes only; ``tasks`` and ``deadlines`` are counts.
    """
    period = programme.period
    return {
        "ref": programme.ref,
        "kind": programme.kind,
        "kind_label": str(programme.get_kind_display()),
        "number": programme.number or None,
        "title": programme.title,
        "issuer": programme.issuer_name,
        "issuer_unit": programme.issuer_unit.code if programme.issuer_unit else None,
        "unit": programme.unit.code if programme.unit else None,
        "place": programme.place,
        "date": programme.issued_on.isoformat(),
        "year": period.year,
        "period": str(period),
        "themes": programme.themes,
        "targets": [target_summary(target) for target in programme.targets.all()],
        "tasks": programme.task_count,
        "deadlines": programme.deadline_count,
    }
