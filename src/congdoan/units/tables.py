"""The sortable lists of the unit pages: which columns they show and how each sorts.

A column sorts by database expressions; names sort in Vietnamese letter order on either database.
The page asks with ``?sort=key`` or ``?sort=-key``; anything else falls back to the table's default.

A column that is never NULL sorts plainly, with the primary key as tie-break in the same direction, so an
index on it gives the order on either database and a page reads only its own rows (an explicit NULLS LAST
makes SQLite sort the whole list). A column that can be NULL puts the NULLs last in both directions, the
same on both databases (SQLite and PostgreSQL place NULLs at opposite ends by default).
"""

from dataclasses import dataclass

from django.db.models import F, Model, QuerySet
from django.utils.translation import gettext_lazy as _

from congdoan.core.db import vi_order


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    order_by: tuple = ()  # empty: the column does not sort

    def expressions(self, model: type[Model], descending: bool) -> list:
        built = []
        for name in self.order_by:
            field = name.removeprefix("vi:")
            expression = vi_order(field) if name.startswith("vi:") else F(field)
            nulls_last = True if can_be_null(model, field) else None
            built.append(
                expression.desc(nulls_last=nulls_last)
                if descending
                else expression.asc(nulls_last=nulls_last)
            )
        return built


def can_be_null(model: type[Model], lookup: str) -> bool:
    """Whether a field reached through ``lookup`` can read NULL: a nullable field on the way (a NULL foreign
    key joins nothing)."""
    for name in lookup.split("__"):
        field = model._meta.get_field(name)
        if field.null:
            return True
        model = field.related_model
    return False


@dataclass(frozen=True)
class Header:
    column: Column
    direction: str  # "asc", "desc" or "" when the list is not sorted by it
    next_sort: str  # the ?sort= value a click on the header asks for


class Table:
    columns: tuple[Column, ...] = ()
    default_sort: str = ""

    def __init__(self, sort: str | None):
        sortable = {c.key for c in self.columns if c.order_by}
        wanted = (sort or "").strip()
        self.sort = wanted if wanted.lstrip("-") in sortable else self.default_sort

    def order(self, queryset: QuerySet) -> QuerySet:
        key = self.sort.lstrip("-")
        column = next(c for c in self.columns if c.key == key)
        descending = self.sort.startswith("-")
        return queryset.order_by(
            *column.expressions(queryset.model, descending), "-pk" if descending else "pk"
        )

    def headers(self) -> list[Header]:
        current, descending = self.sort.lstrip("-"), self.sort.startswith("-")
        result = []
        for column in self.columns:
            if not column.order_by:
                result.append(Header(column, "", ""))
            elif column.key == current:
                result.append(
                    Header(
                        column,
                        "desc" if descending else "asc",
                        column.key if descending else f"-{column.key}",
                    )
                )
            else:
                result.append(Header(column, "", column.key))
        return result


class UnitTable(Table):
    columns = (
        Column("name", _("Name"), ("vi:name",)),
        Column("code", _("Code"), ("code",)),
        Column("type", _("Type"), ("unit_type__name",)),
        Column("parent", _("Parent unit"), ("vi:parent__name",)),
        Column("founded", _("Founded on"), ("founded_on",)),
        Column("ended", _("Ended on"), ("dissolved_on",)),
    )
    default_sort = "name"


class EmployerTable(Table):
    columns = (
        Column("name", _("Employer"), ("vi:name",)),
        Column("unit", _("Grassroots union"), ("vi:unit__name",)),
        Column("sector", _("Sector"), ("sector",)),
        Column("workforce", _("Workforce"), ("workforce",)),
        Column("female", _("Female workforce"), ("female_workforce",)),
    )
    default_sort = "name"


class DecisionTable(Table):
    columns = (
        Column("number", _("Number"), ("number",)),
        Column("signed", _("Signed on"), ("signed_on",)),
        Column("signer", _("Signed by"), ("vi:signer",)),
        Column("issuer", _("Issued by"), ("vi:issuer__name",)),
        Column("summary", _("Summary")),
    )
    default_sort = "-signed"
