"""The sortable programme list."""

from django.utils.translation import gettext_lazy as _

from congdoan.units.tables import Column, Table


class ProgrammeTable(Table):
    columns = (
        Column("date", _("Date"), ("issued_on",)),
        Column("number", _("Number/symbol"), ("number",)),
        Column("kind", _("Document kind"), ("kind",)),
        Column("title", _("Title"), ("vi:title",)),
        Column("issuer", _("Issued by"), ("vi:issuer_name",)),
        Column("period", _("Period"), ("period_start",)),
        Column("targets", _("Targets")),
    )
    default_sort = "-date"
