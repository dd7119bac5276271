"""The sortable lists of the unit pages: which columns they show and how each sorts.

A column sorts by database expressions; names sort in Vietnamese letter order on either database.
The page asks with ``?sort=key`` or ``?sort=-key``; anything else falls back to the table's default.
"""

from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from congdoan.core.db import vi_order


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    order_by: tuple = ()  # empty: the column does not sort

    def expressions(self, descending: bool) -> list:
        built = [vi_order(name[3:]) if name.startswith("vi:") else F(name) for name in self.order_by]
        return [e.desc(nulls_last=True) if descending else e.asc(nulls_last=True) for e in built]


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
        return queryset.order_by(*column.expressions(self.sort.startswith("-")), "pk")

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
