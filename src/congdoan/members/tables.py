"""The member list's columns. Only columns an index can order sort: a province lists 800,000 people."""

from django.utils.translation import gettext_lazy as _

from congdoan.units.tables import Column, Table


class MemberTable(Table):
    columns = (
        # ``sort_key`` orders people Vietnamese-style (given name, middle names, family name).
        Column("name", _("Full name"), ("sort_key",)),
        Column("code", _("Member code"), ("code",)),
        Column("birth", _("Born")),
        Column("gender", _("Gender")),
        Column("id_number", _("ID or passport number")),  # a foreign worker's passport, who has no ID
        Column("phone", _("Phone")),
        Column("unit", _("Grassroots union")),
        Column("joined", _("Joined the union")),
        Column("status", _("Status")),
    )
    default_sort = "name"
