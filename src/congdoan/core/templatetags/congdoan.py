"""Template helpers shared by every page."""

import json

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def can(user, action: str) -> bool:
    """``{% if user|can:"reorganise" %}``: whether the user's role allows the action."""
    return bool(user and user.is_authenticated and user.can(action))


@register.simple_tag
def unit_link(unit, visible_ids=None, label=None):
    """The unit's name, linked to its page when the user can see it (``visible_ids``: the ids they can)."""
    if unit is None:
        return "—"
    text = label or unit.name
    if visible_ids is not None and unit.pk not in visible_ids:
        return text
    return format_html('<a href="{}">{}</a>', reverse("units:detail", kwargs={"code": unit.code}), text)


@register.simple_tag
def changes_url(obj) -> str:
    """The change log of one object."""
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("audit:object", kwargs={"content_type_id": content_type.pk, "object_id": obj.pk})


@register.filter
def change_value(value) -> str:
    """A value from a change-log snapshot as a person reads it."""
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and len(value) == 10:
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is not None:
            return date_format(day, "SHORT_DATE_FORMAT")
    return str(localize(value))


@register.inclusion_tag("includes/table_head.html", takes_context=True)
def table_head(context, table):
    return {"headers": table.headers(), "request": context["request"]}
