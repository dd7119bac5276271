"""Duplicates and changes: rows of the same file that repeat each other, and rows that meet a registry member.

Nothing is merged silently. A row equal to its registry member is *unchanged* (so importing a file twice
changes nothing); one that meets a member but differs is a *duplicate* in add mode (the user decides) or
an *update* in update mode. The rules: the same member code; the same ID number; the same passport
number; the same accent-folded name, birth and grassroots union.
"""

import copy
import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from congdoan.members.identity import ETHNIC_CHOICES
from congdoan.members.imports.fields import CHOICE_LABELS, display
from congdoan.members.imports.models import ImportBatch, ImportRow
from congdoan.members.imports.rows import header_for, member_values, person_errors
from congdoan.members.models import Member
from congdoan.members.services import taken_number_errors

Status = ImportRow.Status
_ETHNIC_NAMES = dict(ETHNIC_CHOICES)
# Fields an import does not change on an existing member: they belong to the member's lifecycle.
_LIFECYCLE_FIELDS = ("joined_on",)


@dataclass
class Verdict:
    status: str
    member_id: int | None = None
    reason: str = ""
    changes: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)


def shown(name: str, value) -> str:
    """A field value as a list would write it (for change lists and duplicate reasons)."""
    if value in (None, ""):
        return ""
    if name in CHOICE_LABELS:
        return CHOICE_LABELS[name].get(value, str(value))
    if name == "ethnic_group":
        return _ETHNIC_NAMES.get(value, value)
    if name == "party_member":
        return "x" if value else ""
    return display(value)


def changes_between(member: Member, data: dict) -> dict[str, list[str]]:
    """{field: [registry value, file value]} for each field the file fills with something else."""
    values = member_values(data)
    changes = {}
    for name, new in values.items():
        old = getattr(member, name)
        if name == "birth_year" and "birth_date" not in values:
            if member.birth_year == new:
                continue
        elif (name == "party_member" and not new and not old) or old == new:
            continue
        changes[name] = [shown(name, old), shown(name, new)]
    return changes


def taken_changes(changes: dict) -> dict:
    """What an update takes of the ``changes`` a row brings: all but the lifecycle's."""
    return {name: values for name, values in changes.items() if name not in _LIFECYCLE_FIELDS}


def _birth_matches(member: Member, data: dict) -> bool:
    if data.get("birth_date"):
        date = datetime.date.fromisoformat(data["birth_date"])
        return member.birth_date == date or (member.birth_date is None and member.birth_year == date.year)
    return member.birth_year == data.get("birth_year")


def mark_file_duplicates(batch: ImportBatch) -> None:
    """Later rows repeating an earlier row's member code, ID or passport number, or name + birth + unit
    await a decision (one member updated twice would keep only the last row, unseen)."""
    rows = batch.rows.exclude(status=Status.ERROR)
    for key, reason in (
        ("member_code", _("The same member code as row %(row)s.")),
        ("id_number", _("The same ID number as row %(row)s.")),
        ("passport_number", _("The same passport number as row %(row)s.")),
        ("person_key", _("The same name, birth and grassroots union as row %(row)s.")),
    ):
        groups = (
            rows.exclude(**{key: ""})
            .exclude(status=Status.DUPLICATE)
            .values(key)
            .annotate(n=Count("id"), first=Min("row_number"))
            .filter(n__gt=1)
        )
        for group in groups.iterator():
            (
                batch.rows.filter(**{key: group[key], "row_number__gt": group["first"]})
                .exclude(status=Status.ERROR)
                .update(
                    status=Status.DUPLICATE,
                    duplicate_of=group["first"],
                    reason=reason % {"row": group["first"]},
                )
            )
    _mark_year_only_repeats(batch, rows.exclude(status=Status.DUPLICATE))


# Groups of namesakes whose rows are read a query at a time (by their folded names).
_GROUPS_READ = 500


def _mark_year_only_repeats(batch: ImportBatch, rows) -> None:
    """A row giving only the year of birth may be the person whom another row of the same folded name,
    union and year gives the full date of: the later of them awaits a decision, as the earliest row it may
    repeat. Two full dates of one year are two people (one full date twice is the person key's rule)."""
    year_only = ~Q(data__has_key="birth_date")
    rows = rows.exclude(search_name="").filter(unit__isnull=False, birth_year__isnull=False)
    counts = rows.aggregate(year_only=Count("id", filter=year_only), dated=Count("id", filter=~year_only))
    if not counts["year_only"] or not counts["dated"]:
        return  # a list writing every birth the same way: the person key found its repeats
    groups = (
        rows.values("search_name", "birth_year", "unit")
        .annotate(n=Count("id"), years=Count("id", filter=year_only))
        .filter(n__gt=1, years__gt=0, years__lt=F("n"))
        .values_list("search_name", "birth_year", "unit")
    )
    keys = list(groups)
    reason = _(
        "The same name and grassroots union as row %(row)s, born the same year; one of them gives only "
        "the year of birth."
    )
    for start in range(0, len(keys), _GROUPS_READ):
        wanted = set(keys[start : start + _GROUPS_READ])
        namesakes: dict[tuple, list[tuple[int, int, str | None]]] = {}
        read = rows.filter(search_name__in={name for name, _year, _unit in wanted}).order_by("row_number")
        for pk, number, name, year, unit, date in read.values_list(
            "pk", "row_number", "search_name", "birth_year", "unit", KT("data__birth_date")
        ):
            if (name, year, unit) in wanted:
                namesakes.setdefault((name, year, unit), []).append((pk, number, date))
        repeats: dict[int, list[int]] = {}  # earlier row -> the rows that may repeat it
        for group in namesakes.values():
            for index, (pk, _number, date) in enumerate(group):
                earlier = next((n for _pk, n, d in group[:index] if d is None or date is None), None)
                if earlier is not None:
                    repeats.setdefault(earlier, []).append(pk)
        for earlier, pks in repeats.items():
            batch.rows.filter(pk__in=pks).update(
                status=Status.DUPLICATE, duplicate_of=earlier, reason=reason % {"row": earlier}
            )


def may_meet_registry() -> Q:
    """Staged rows that may meet a registry member (a superset, for ``classify`` to judge): those naming a
    member code, or sharing an ID or passport number, or a folded name, birth year and unit with a member.
    In add mode any other row is new, so a list of new people is judged by the database without loading
    its rows."""
    return (
        ~Q(member_code="")
        | Exists(Member.objects.filter(id_number=OuterRef("id_number")))
        | Exists(Member.objects.filter(passport_number=OuterRef("passport_number")))
        | Exists(
            Member.objects.filter(
                search_name=OuterRef("search_name"), birth_year=OuterRef("birth_year"), unit=OuterRef("unit")
            )
        )
    )


def classify(batch: ImportBatch, rows: list[ImportRow]) -> dict[int, Verdict]:
    """What each row would do to the registry as it stands now (rows already in error or repeating an
    earlier row of the file are left out).

    The members are found by joining the staged rows of the chunk's id range, not by lists of values: the
    SQL is then the same for every chunk, so the database driver's statement cache does not fill up with
    one compiled statement per list length.
    """
    rows = [r for r in rows if r.status != Status.ERROR and r.duplicate_of is None]
    if not rows:
        return {}
    staged = ImportRow.objects.filter(batch=batch, pk__gte=rows[0].pk, pk__lte=rows[-1].pk)
    members = Member.objects.select_related("unit")
    by_code = {
        m.code: m for m in members.filter(code__in=staged.exclude(member_code="").values("member_code"))
    }
    by_id = {
        m.id_number: m for m in members.filter(id_number__in=staged.exclude(id_number="").values("id_number"))
    }
    by_passport = {
        m.passport_number: m
        for m in members.filter(
            passport_number__in=staged.exclude(passport_number="").values("passport_number")
        )
    }
    by_person: dict[tuple[str, int], list[Member]] = {}
    if batch.mode == ImportBatch.Mode.ADD:
        # Namesakes born the same year in the same unit, paired by the database from the chunk's side so
        # that the (search_name, birth_year) index answers each row: a common name in a large registry
        # then costs a few lookups, not a scan of everyone who bears it. ("+m.unit_id" keeps SQLite, which
        # has no statistics, off the unit index; to PostgreSQL it is the same number.)
        # The ids are fetched first, so that the database plans the join on its own: nested in
        # "id IN (…)" it once ran for minutes on PostgreSQL in CI.
        member_table, row_table = (connection.ops.quote_name(m._meta.db_table) for m in (Member, ImportRow))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.id FROM {member_table} m JOIN {row_table} r ON m.search_name = r.search_name "
                "AND m.birth_year = r.birth_year AND +m.unit_id = r.unit_id "
                "WHERE r.batch_id = %s AND r.id BETWEEN %s AND %s AND r.search_name <> ''",
                (batch.pk, rows[0].pk, rows[-1].pk),
            )
            namesakes = [member_id for (member_id,) in cursor.fetchall()]
        for member in members.filter(pk__in=namesakes):
            by_person.setdefault((member.search_name, member.unit_id), []).append(member)
    if batch.mode == ImportBatch.Mode.UPDATE:
        return {row.pk: _verdict_update(batch, row, by_code, by_id, by_passport) for row in rows}
    return {row.pk: _verdict_add(batch, row, by_code, by_id, by_passport, by_person) for row in rows}


def _in_scope(batch: ImportBatch, member: Member) -> bool:
    return member.unit.path.startswith(batch.unit.path)


def _member_label(member: Member) -> str:
    return f"{member.full_name} ({member.code}, {member.unit})"


def _verdict_add(batch, row, by_code, by_id, by_passport, by_person) -> Verdict:
    columns = batch.columns
    code = row.data.get("code")
    if code:
        member = by_code.get(code)
        if member is None:
            return Verdict(
                Status.ERROR,
                errors=[
                    {
                        "column": header_for(columns, "code"),
                        "message": _(
                            "No member has the code %(code)s. Leave the code empty for a new member: "
                            "codes are given by the system."
                        )
                        % {"code": code},
                    }
                ],
            )
        reason = _("The member code of %(member)s.")
    elif row.id_number and row.id_number in by_id:
        member, reason = by_id[row.id_number], _("The ID number of %(member)s.")
    elif row.passport_number and row.passport_number in by_passport:
        member, reason = by_passport[row.passport_number], _("The passport number of %(member)s.")
    else:
        candidates = by_person.get((row.search_name, row.unit_id), [])
        member = next((m for m in candidates if _birth_matches(m, row.data)), None)
        if member is None:
            return Verdict(Status.NEW)
        reason = _("The same name, birth and grassroots union as %(member)s.")
    if not _in_scope(batch, member):
        return Verdict(
            Status.DUPLICATE,
            member.pk,
            _("This person is already in the registry, in a unit outside yours; ask the upper level."),
        )
    changes = changes_between(member, row.data)
    moved = row.unit_id and row.unit_id != member.unit_id
    if not changes and not moved:
        return Verdict(Status.UNCHANGED, member.pk)
    reason = reason % {"member": _member_label(member)}
    if moved:
        reason += " " + _("The registry places the member in %(unit)s; a move is recorded as a transfer.") % {
            "unit": member.unit
        }
    return Verdict(Status.DUPLICATE, member.pk, reason, changes)


def _verdict_update(batch, row, by_code, by_id, by_passport) -> Verdict:
    """The member a row of an update list names, by the first key it gives: the member code, the ID
    number, or the passport number (a foreign worker has no ID number)."""
    keys = (
        ("code", row.data.get("code"), by_code),
        ("id_number", row.id_number, by_id),
        ("passport_number", row.passport_number, by_passport),
    )
    found = next(((name, key, members) for name, key, members in keys if key), None)
    if found is None:  # said in the first key column the list has
        headers = {column["header"] for column in batch.columns}
        named = (header_for(batch.columns, name) for name, _key, _members in keys)
        return _error(
            next((header for header in named if header in headers), header_for(batch.columns, "code")),
            _("An update needs the member code, the ID number or the passport number of the member."),
        )
    name, key, members = found
    member = members.get(key)
    if member is None or not _in_scope(batch, member):
        return _error(
            header_for(batch.columns, name),
            _("No member with %(key)s in %(unit)s.") % {"key": key, "unit": batch.unit},
        )
    return judge_update(batch, row, member)


def _error(column: str, message: str) -> Verdict:
    return Verdict(Status.ERROR, errors=[{"column": column, "message": message}])


def judge_update(batch: ImportBatch, row: ImportRow, member: Member) -> Verdict:
    """Whether ``row`` may update ``member`` (the registry's rules on the result), and what it changes."""
    columns = batch.columns
    if row.unit_id and row.unit_id != member.unit_id:
        return _error(
            header_for(columns, "unit"),
            _("The member belongs to %(unit)s; a move to another grassroots union is recorded as a transfer.")
            % {"unit": member.unit},
        )
    found = changes_between(member, row.data)
    if "birth_year" in found and member.birth_date:  # the year follows the date: it would not change
        message = _(
            "The list gives only the year %(year)s; the registry has the date of birth %(date)s. Write "
            "the full date to correct it."
        )
        year, date = found["birth_year"][1], shown("birth_date", member.birth_date)
        return _error(header_for(columns, "birth_year"), message % {"year": year, "date": date})
    changes = taken_changes(found)
    kept = [  # the rest of the row is taken; the lifecycle stays as the registry has it, and that is said
        _("The list's joining date %(new)s is not taken: the registry keeps %(old)s (it is corrected on the "
          "member's record).") % {"old": found[name][0], "new": found[name][1]}
        for name in _LIFECYCLE_FIELDS
        if name in found
    ]  # fmt: skip
    if not changes:
        return Verdict(Status.UNCHANGED, member.pk, " ".join(kept))
    merged = apply_changes(copy.copy(member), row.data, changes)
    # Said before person_errors, which takes a Party joining date for membership and would hide it.
    unparty = "party_member" in changes and not merged.party_member and merged.party_joined_on
    errors = person_errors(merged)
    if unparty:
        errors["party_member"] = _(
            "The registry has the member joining the Party on %(date)s; that is corrected on the "
            "member's record, not by a list."
        ) % {"date": shown("party_joined_on", member.party_joined_on)}
    numbers = [name for name in ("id_number", "passport_number") if name in changes and not errors.get(name)]
    errors.update(taken_number_errors(merged, numbers))
    if errors:
        return Verdict(
            Status.ERROR,
            member.pk,
            errors=[
                {"column": header_for(columns, name), "message": message} for name, message in errors.items()
            ],
        )
    updates = _("Updates %(member)s.") % {"member": _member_label(member)}
    return Verdict(Status.UPDATE, member.pk, " ".join([updates, *kept]), changes)


def apply_changes(member: Member, data: dict, changes: dict) -> Member:
    values = member_values(data)
    for name in changes:
        setattr(member, name, values[name])
    if "birth_date" in changes:
        member.birth_year = member.birth_date.year
    member.set_derived_fields()
    return member


def save_verdicts(verdicts: dict[int, Verdict]) -> None:
    """Write verdicts onto the staged rows with one prepared statement (bulk_update's CASE is slow here)."""
    if not verdicts:
        return
    table = connection.ops.quote_name(ImportRow._meta.db_table)
    json_field = ImportRow._meta.get_field("changes")
    params = [
        (
            v.status,
            v.member_id,
            v.reason[:500],
            json_field.get_db_prep_save(v.changes, connection),
            json_field.get_db_prep_save(v.errors, connection),
            pk,
        )
        for pk, v in verdicts.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status = %s, member_id = %s, reason = %s, changes = %s, "
            "errors = %s WHERE id = %s",
            params,
        )
