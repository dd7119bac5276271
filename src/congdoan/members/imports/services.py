"""The member import API, for the web UI, the REST API and the command line alike:

    batch = create_batch(file=..., unit=unit, mode="add", user=user)   # store the upload
    read_batch(batch=batch)            # read, check and stage every row: the preview (or start_reading → job)
    decide(batch=batch, rows=[12, 40], decision="skip", user=user)      # settle the duplicates
    commit_batch(batch=batch, user=user)                               # write the registry (or start_commit)
    summary(batch)                     # counts, errors and duplicates, by Excel row number and column header

Memory stays flat: rows are read, checked and staged a chunk at a time, and duplicates are found with SQL
over the staged rows rather than with sets held in memory.

Each row's Python work is done once, at staging: the row is parsed and checked with the registry's rules,
and what is staged (the data with its ID number in canonical form, the folded name, the birth year) is the
finished member less its code and sort key. Staged rows are written as plain tuples
(``core.db.insert_rows``: COPY on PostgreSQL), not as model instances; at the commit the database builds
the members, their first events and memberships and the change log from the staged rows itself
(``writing``). Rows of an added list that meet no registry member (no member code, ID number, or name +
birth year + unit in common) are left new by one SQL query instead of being loaded
and judged one by one.

The commit is ONE transaction for the whole batch: a list is in the registry entirely or not at all, so an
interrupted commit (a crash, a restart) leaves nothing to repair. On SQLite that transaction holds the
write lock while it runs (about as long as the preview took to stage the same rows); resumable chunks
would release it sooner but would show other users half a list. SQLite's write-ahead log grows to hold
every page the transaction writes, about the size of the rows written (300 MB for 100,000 members with
their events, memberships and change log, ~3 GB for 1,000,000: BENCHMARKS.md); it is reused afterwards.
Before anything is written the rows that may meet a registry member are judged again; if anything changed
since the preview the commit is undone and the preview refreshed, so what is written is exactly what was
previewed.
"""

import functools
import hashlib
import itertools
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from congdoan.accounts.models import Action
from congdoan.accounts.scope import restrict
from congdoan.audit.context import change_context
from congdoan.audit.models import ObjectChange
from congdoan.audit.services import log_many
from congdoan.core import jobs
from congdoan.core.db import insert_rows
from congdoan.core.text import fold
from congdoan.members.imports import legacy
from congdoan.members.imports.fields import BY_NAME, is_bookkeeping
from congdoan.members.imports.layout import (
    Layout,
    RowKind,
    find_layout,
    join_date_parts,
    join_name_parts,
    repeats_header,
    row_kind,
)
from congdoan.members.imports.matching import (
    Verdict,
    apply_changes,
    classify,
    judge_update,
    mark_file_duplicates,
    may_meet_registry,
    save_verdicts,
    taken_changes,
)
from congdoan.members.imports.models import ImportBatch, ImportRow
from congdoan.members.imports.reading import ENCODING_NAMES, FileRefused, open_table, read_ahead, too_large
from congdoan.members.imports.rows import (
    ParsedRow,
    RowParser,
    UnitIndex,
    admission_errors,
    birth_year,
    clean_cells,
    person_key,
)
from congdoan.members.imports.writing import create_members
from congdoan.members.models import Member
from congdoan.units.models import Unit

CHUNK = 2000
# Rows staged a transaction at a time: each transaction writes every index page it touched, and the staged
# rows' ID-number and name keys land on pages all over their indexes; at 2,000 rows a 1,000,000-row list
# spent 22 s staging on SQLite, at 10,000 16 s (about 10 MB more held while reading).
STAGE_CHUNK = 10000
WRITE_CHUNK = 20000  # rows a commit writes at a time: fewer, larger statements; progress still moves
LEGACY_SAMPLE_ROWS = 200
Progress = Callable[[int, int, str], None] | None
RowStatus, Decision = ImportRow.Status, ImportRow.Decision


class StalePreview(Exception):
    """The registry changed between the preview and the commit."""


def _require_change_right(user, unit: Unit) -> None:
    """``user`` None is the system operator of the command line (full rights); anyone else needs the scope."""
    if user is not None and not restrict(Unit.objects.filter(pk=unit.pk), user, Action.CHANGE).exists():
        raise PermissionDenied(_("You may not change the members of %(unit)s.") % {"unit": unit})


# ------------------------------------------------------------------------------------------ upload


@transaction.atomic
def create_batch(
    *, file, unit: Unit, mode: str = ImportBatch.Mode.ADD, user=None, name: str | None = None
) -> ImportBatch:
    """Store an uploaded list (a path, or a file object such as an upload) for ``unit``; read nothing yet."""
    _require_change_right(user, unit)
    if mode not in ImportBatch.Mode.values:
        raise ValidationError({"mode": _("The mode is add or update.")})
    # An upload too large is refused before it is stored; a file named on the command line is refused by
    # the reader, as every other file it cannot read, in the command's summary.
    if (refusal := too_large(getattr(file, "size", 0))) and not isinstance(file, (str, Path)):
        raise ValidationError({"file": refusal})
    if isinstance(file, (str, Path)):
        with open(file, "rb") as handle:
            return _store(handle, name or Path(file).name, unit, mode, user)
    return _store(file, name or Path(getattr(file, "name", "") or "list").name, unit, mode, user)


def _store(handle, name: str, unit: Unit, mode: str, user) -> ImportBatch:
    batch = ImportBatch(unit=unit, mode=mode, file_name=name[:255], created_by=user)
    batch.file.save(
        f"{timezone.now():%Y%m%d%H%M%S}{Path(name).suffix.lower()[:10]}", File(handle), save=False
    )
    digest = hashlib.sha256()
    with batch.file.open("rb") as stored:
        for chunk in stored.chunks():
            digest.update(chunk)
    batch.file_sha256, batch.file_size = digest.hexdigest(), batch.file.size
    batch.save()
    return batch


# ------------------------------------------------------------------------------------------ preview


def read_batch(*, batch: ImportBatch, progress: Progress = None) -> ImportBatch:
    """Read the stored file, check every row and stage it, then find duplicates: the preview."""
    if batch.state not in (ImportBatch.State.QUEUED, ImportBatch.State.READING):
        raise ValidationError(_("This import has already been read."))
    batch.state = ImportBatch.State.READING
    batch.save(update_fields=["state"])
    try:
        _stage(batch, progress or _quiet)
        _skip_repeated_headers(batch)
        _classify_all(batch, progress or _quiet)
    except FileRefused as refusal:
        _refuse(batch, str(refusal))
        return batch
    except Exception:
        _refuse(batch, _("The file could not be read because of an unexpected error."))
        raise
    finally:
        _drop_file(batch)
    batch.state = ImportBatch.State.READY
    _count(batch)
    return batch


def _quiet(done: int, total: int, phase: str) -> None:
    """No progress display."""


def _refuse(batch: ImportBatch, message: str) -> None:
    batch.rows.all().delete()
    batch.state, batch.file_error = ImportBatch.State.REFUSED, message
    batch.save()


def _drop_file(batch: ImportBatch) -> None:
    """The upload holds personal data: once staged (or refused) it is not kept."""
    if batch.file:
        batch.file.delete(save=False)
        batch.file = ""
        batch.save(update_fields=["file"])


_REQUIRED_FOR_NEW = ("full_name", "birth_date", "gender", "joined_on")


def _check_columns(batch: ImportBatch, layout: Layout, units: UnitIndex) -> None:
    present = {c.field.name for c in layout.columns}
    if {"birth_male", "birth_female"} & present:
        present |= {"birth_date", "gender"}
    if batch.mode == ImportBatch.Mode.UPDATE:
        if not {"code", "id_number", "passport_number", "identity_document"} & present:
            raise FileRefused(
                _(
                    "An update list needs a column “Mã đoàn viên”, “Số CCCD/CMND” or “Số hộ chiếu” to "
                    "find each member."
                )
            )
        return
    missing = [BY_NAME[name].header for name in _REQUIRED_FOR_NEW if name not in present]
    if "unit" not in present and units.default is None:
        missing.append(BY_NAME["unit"].header)
    if missing:
        raise FileRefused(
            _("Required columns are missing: %(columns)s. Headers found in row %(row)s: %(found)s.")
            % {
                "columns": ", ".join(missing),
                "row": layout.header_row,
                "found": ", ".join(c.header for c in layout.columns) or "—",
            }
        )


def _legacy_scheme(batch: ImportBatch, layout: Layout, sample: list[tuple[int, list]]) -> str | None:
    texts = [
        value
        for _number, cells in sample
        for c in layout.columns
        if c.index < len(cells) and isinstance(value := cells[c.index], str) and not value.isascii()
    ]
    scheme, _improved = legacy.detect_scheme(texts)
    if scheme:
        batch.legacy_encoding = scheme
        batch.notices.append(
            _(
                "The text was typed in the old %(scheme)s encoding and has been converted to "
                "Unicode; check names in the preview."
            )
            % {"scheme": scheme.upper()}
        )
        return scheme
    unreadable = [
        t
        for t in texts
        if legacy.may_be_legacy(t)
        and 2 * legacy.syllable_score(t) < len(t.split())
        and legacy.looks_garbled(t)
    ]
    if texts and len(unreadable) * 3 >= len(texts):
        raise FileRefused(
            _(
                "The text looks like an old Vietnamese encoding (VNI, TCVN3, VISCII…) that could not "
                "be converted, e.g. “%(sample)s”. Convert the file to Unicode (Unikey: Ctrl+Shift+F6) "
                "and upload it again."
            )
            % {"sample": unreadable[0][:60]}
        )
    return None


def _stage(batch: ImportBatch, progress) -> None:
    units = UnitIndex.under(batch.unit)
    table = read_ahead(open_table(Path(batch.file.path), name=batch.file_name))
    try:
        batch.file_format, batch.sheet = table.format, table.sheet
        batch.encoding = ENCODING_NAMES.get(table.encoding, table.encoding)
        layout, data = find_layout(table.rows())
        _check_columns(batch, layout, units)
        batch.header_row = layout.header_row
        batch.columns = [c.as_json() for c in layout.columns]
        if not_imported := [*(h for h in layout.ignored if not is_bookkeeping(h)), *layout.unknown]:
            columns = ", ".join(not_imported)
            batch.notices.append(_("Columns not imported: %(columns)s.") % {"columns": columns})
        sample = list(itertools.islice(data, LEGACY_SAMPLE_ROWS))
        scheme = _legacy_scheme(batch, layout, sample)
        batch.save()
        staged = []
        parse_row = RowParser(layout, units=units, mode=batch.mode)
        for number, cells in itertools.chain(sample, data):
            cells = clean_cells(cells, scheme)
            if layout.name_parts:
                cells = join_name_parts(cells, layout.name_parts)
            if layout.date_parts:
                cells = join_date_parts(cells, layout.date_parts)
            kind = row_kind(cells, layout)
            if kind == RowKind.TOTALS:
                batch.notices.append(
                    _("Row %(row)s is a totals line; reading stopped there.") % {"row": number}
                )
                break
            if kind == RowKind.SIGNATURES:
                batch.notices.append(
                    _("Row %(row)s starts the signatures under the list; reading stopped there.")
                    % {"row": number}
                )
                break
            if kind != RowKind.DATA:
                continue
            staged.append(_staged_row(batch, parse_row(number, cells)))
            if len(staged) >= STAGE_CHUNK:
                insert_rows(ImportRow, _STAGED_COLUMNS, staged)
                staged.clear()
                progress(*table.progress(), _("Reading the file"))
        insert_rows(ImportRow, _STAGED_COLUMNS, staged)
        progress(*table.progress(), _("Reading the file"))
    finally:
        table.close()
    batch.save(update_fields=["notices"])


# Every column of a staged row, for rows written as plain tuples (a model instance a row cost more than
# parsing it); the verdict's columns start empty, as the model's defaults have them.
_STAGED_COLUMNS = [
    *("batch", "row_number", "status", "values", "data", "errors", "parsed_ok", "id_number"),
    "passport_number",
    *("person_key", "search_name", "birth_year", "member_code", "unit", "reason", "changes", "decision"),
]


# One encoder for every staged value: json.dumps with an option builds a new encoder for each call.
_json = json.JSONEncoder(ensure_ascii=False).encode


_folded_name = functools.lru_cache(maxsize=8192)(fold)  # a list repeats its common names


def _staged_row(batch: ImportBatch, parsed: ParsedRow) -> tuple:
    ok, data = not parsed.errors, parsed.data
    unit_id = parsed.unit.pk if parsed.unit else None
    folded = _folded_name(data.get("full_name", ""))
    return (
        batch.pk,
        parsed.number,
        str(RowStatus.NEW if ok else RowStatus.ERROR),  # plain text: psycopg writes an Enum by its name
        _json(parsed.values),
        _json(data),
        _json(parsed.errors) if parsed.errors else "[]",
        ok,
        data.get("id_number", "")[:20] if ok else "",
        data.get("passport_number", "")[:20] if ok else "",
        person_key(data, unit_id, folded) if ok else "",
        folded[:120],
        birth_year(data),
        data.get("code", "")[:20],
        unit_id,
        "",
        "{}",
        "",
    )


# Rows a notice names at most (a list printed over a thousand pages repeats its header a thousand times).
NAMED_ROWS = 20


def _skip_repeated_headers(batch: ImportBatch) -> None:
    """Rows repeating the header (``layout.repeats_header``) are no members: dropped, and named in a notice.
    Their header words are no birth, gender, member code or ID number, so they were staged as refused
    rows, and only those are read again."""
    refused = batch.rows.filter(status=RowStatus.ERROR).order_by("row_number")
    repeats = [
        (pk, number)
        for pk, number, values in refused.values_list("pk", "row_number", "values").iterator()
        if repeats_header(values, batch.columns)
    ]
    if not repeats:
        return
    ImportRow.objects.filter(pk__in=[pk for pk, _number in repeats]).delete()
    numbers = ", ".join(str(number) for _pk, number in repeats[:NAMED_ROWS])
    message = ngettext(
        "Row %(rows)s repeats the header of the list (as a list printed over several pages does); it was "
        "skipped.",
        "Rows %(rows)s repeat the header of the list (as a list printed over several pages does); they "
        "were skipped.",
        len(repeats),
    )
    batch.notices.append(message % {"rows": numbers + (" …" if len(repeats) > NAMED_ROWS else "")})
    batch.save(update_fields=["notices"])


def _refresh_statistics() -> None:
    """PostgreSQL plans from statistics that autovacuum refreshes later: right after staging a file (or
    in a registry never analysed) it takes the tables for empty, and pairs the rows with the registry by
    nested loops over everyone. ANALYZE samples a fixed number of rows, so this costs little."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (ImportRow, Member):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _walk(batch: ImportBatch) -> QuerySet[ImportRow]:
    """The batch's rows for ``_chunks``: its range of ids walked in order, the batch tested on each row
    (``batch_id + 0``) rather than through its index. Through the index SQLite read every row of the batch
    and sorted them for each chunk: a 1,000,000-row commit spent 58 of its 130 s paging."""
    ids = batch.rows.aggregate(first=Min("pk"), last=Max("pk"))
    return ImportRow.objects.alias(in_batch=F("batch_id") + 0).filter(
        in_batch=batch.pk, pk__range=(ids["first"] or 0, ids["last"] or 0)
    )


def _chunks(queryset, size: int = CHUNK):
    """Rows of ``queryset`` (instances, or tuples of a values_list led by the primary key) in primary-key
    order, a chunk at a time (keyset pages: flat memory); the rows of a batch come from ``_walk``."""
    last = 0
    while chunk := list(queryset.filter(pk__gt=last).order_by("pk")[:size]):
        yield chunk
        last = chunk[-1][0] if isinstance(chunk[-1], tuple) else chunk[-1].pk


def _classify_all(batch: ImportBatch, progress) -> None:
    _refresh_statistics()
    mark_file_duplicates(batch)
    pending = Q(status=RowStatus.NEW, duplicate_of__isnull=True)
    if batch.mode == ImportBatch.Mode.ADD:
        pending &= may_meet_registry()  # the others stay new, as staged
    total, done = batch.rows.filter(pending).count(), 0
    for chunk in _chunks(_walk(batch).filter(pending)):
        save_verdicts(classify(batch, chunk))
        done += len(chunk)
        progress(done, total, _("Comparing with the registry"))


def _count(batch: ImportBatch) -> None:
    counts = dict.fromkeys(RowStatus.values, 0)
    for status, n in batch.rows.values("status").annotate(n=Count("id")).values_list("status", "n"):
        counts[status] = n
    batch.rows_total = sum(counts.values())
    batch.rows_error, batch.rows_new = counts[RowStatus.ERROR], counts[RowStatus.NEW]
    batch.rows_update, batch.rows_unchanged = counts[RowStatus.UPDATE], counts[RowStatus.UNCHANGED]
    batch.rows_duplicate = counts[RowStatus.DUPLICATE]
    batch.save()


# ------------------------------------------------------------------------------------------ decisions


def decide(*, batch: ImportBatch, rows: Iterable[int], decision: str, user=None) -> int:
    """Settle possible duplicates (by Excel row number): skip them, add them as other people, or let them
    update the registry member they meet. Refuses, naming the rows, a decision that cannot apply."""
    _require_change_right(user, batch.unit)
    if closed := _closed_to_decisions(batch):
        raise ValidationError(closed)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Unknown decision.")})
    chosen = list(
        batch.rows.filter(row_number__in=list(rows), status=RowStatus.DUPLICATE).select_related(
            "member__unit"
        )
    )
    # Who holds the rows' ID numbers matters only to adding them as other people.
    shared = _sharing_numbers(batch, chosen) if decision == Decision.CREATE else {}
    judged: dict[int, Verdict] = {}
    problems = [
        _("Row %(row)s: ") % {"row": row.row_number} + problem
        for row in chosen
        if (problem := _cannot_decide(batch, row, decision, shared, judged))
    ]
    if problems:
        raise ValidationError(problems)
    if decision == Decision.UPDATE:  # the row says what the update does (a joining date it leaves)
        reworded = chosen
        for row in chosen:
            row.reason = judged[row.pk].reason
    else:  # and, decided otherwise again, why it is a possible duplicate
        reworded = sorted((row for row in chosen if row.decision == Decision.UPDATE), key=lambda row: row.pk)
        verdicts = classify(batch, reworded)
        for row in reworded:
            row.reason = verdicts[row.pk].reason
    ImportRow.objects.bulk_update(reworded, ["reason"])
    return ImportRow.objects.filter(pk__in=[row.pk for row in chosen]).update(decision=decision)


def allowed_decisions(*, batch: ImportBatch, rows: Iterable[ImportRow]) -> dict[int, dict[str, str | None]]:
    """For each possible duplicate among ``rows`` (by row id), every decision with None where ``decide``
    would take it, else why it would not: what a page offers before the click. The rows come with their
    member and its unit (``select_related("member__unit")``); who else holds their ID and passport
    numbers is read in two queries each for them all (``_sharing_numbers``). (A row giving its member a new
    ID number costs the query of ``judge_update`` that looks for another member holding it.)"""
    duplicates = [row for row in rows if row.status == RowStatus.DUPLICATE]
    if closed := _closed_to_decisions(batch):
        return {row.pk: dict.fromkeys(_DECISIONS, closed) for row in duplicates}
    shared = _sharing_numbers(batch, duplicates)
    return {
        row.pk: {decision: _cannot_decide(batch, row, decision, shared, {}) for decision in _DECISIONS}
        for row in duplicates
    }


_DECISIONS = [value for value in Decision.values if value]


def _closed_to_decisions(batch: ImportBatch) -> str | None:
    if batch.state != ImportBatch.State.READY:
        return _("Decisions are taken on a previewed import that is not yet committed.")
    return None


# What stops a row being added as another person: a number of it someone holds already (each is unique).
_SHARED_NUMBER = {
    "id_number": gettext_lazy("two people cannot share the ID number %(number)s."),
    "passport_number": gettext_lazy("two people cannot share the passport number %(number)s."),
}


def _sharing_numbers(batch: ImportBatch, rows: list[ImportRow]) -> dict[int, str]:
    """Why each of ``rows`` (by id) whose ID or passport number someone holds already cannot be another
    person: a registry member, or the earlier row of the file a row repeats (a repeated row is not compared
    with the registry, so its numbers are looked up here)."""
    shared: dict[int, str] = {}
    for name, message in _SHARED_NUMBER.items():
        numbered = [row for row in rows if getattr(row, name) and row.pk not in shared]
        if not numbered:
            continue
        held = {getattr(row, name) for row in numbered}
        registered = set(Member.objects.filter(**{f"{name}__in": held}).values_list(name, flat=True))
        repeated = {row.duplicate_of for row in numbered if row.duplicate_of is not None}
        earlier = (
            dict(batch.rows.filter(row_number__in=repeated).values_list("row_number", name))
            if repeated
            else {}
        )
        for row in numbered:
            number = getattr(row, name)
            if number in registered or earlier.get(row.duplicate_of) == number:
                shared[row.pk] = message % {"number": number}
    return shared


def _cannot_decide(
    batch: ImportBatch, row: ImportRow, decision: str, shared: dict[int, str], judged: dict[int, Verdict]
) -> str | None:
    """Why ``row`` cannot take ``decision`` (None when it can); ``shared`` is ``_sharing_numbers``. An
    update's verdict is kept in ``judged`` (by row id), for the caller to say what the update does."""
    member = row.member
    if decision == Decision.CREATE:
        if batch.mode == ImportBatch.Mode.UPDATE:  # its rows were never checked as new members
            return _("an update list adds no one; add new members with a list in the add mode.")
        if row.data.get("code"):
            return _("the row names an existing member code.")
        if row.pk in shared:
            return shared[row.pk]
    if decision == Decision.UPDATE:
        if member is None or not member.unit.path.startswith(batch.unit.path):
            return _("there is no member of your unit for this row to update.")
        verdict = judged[row.pk] = judge_update(batch, row, member)
        if verdict.status == RowStatus.ERROR:
            return " ".join(e["message"] for e in verdict.errors)
    return None


# ------------------------------------------------------------------------------------------ commit


def commit_batch(
    *, batch: ImportBatch, user=None, skip_undecided: bool = False, progress: Progress = None
) -> ImportBatch:
    """Write the previewed rows into the registry, all in one transaction (see the module docstring)."""
    _require_change_right(user, batch.unit)
    if batch.state != ImportBatch.State.READY:
        raise ValidationError(
            _("Only a previewed import can be committed (this one is: %(state)s).")
            % {"state": batch.get_state_display()}
        )
    undecided = batch.rows.filter(status=RowStatus.DUPLICATE, decision=Decision.NONE).count()
    if undecided and not skip_undecided:
        raise ValidationError(_("%(n)s possible duplicates await a decision.") % {"n": undecided})
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.state != ImportBatch.State.READY:
                raise ValidationError(_("This import is being committed or has been already."))
            with change_context(user=user, request_id=batch.request_id):
                batch.created, batch.updated = _write(batch, progress or _quiet)
                batch.state, batch.committed_by, batch.committed_at = (
                    ImportBatch.State.COMMITTED,
                    user,
                    timezone.now(),
                )
                batch.save()
    except StalePreview as stale:
        _refresh_preview(batch)
        raise ValidationError(
            _(
                "The registry changed since the preview (%(detail)s). The preview has been "
                "refreshed: check it and import again."
            )
            % {"detail": stale}
        ) from None
    return batch


def _write(batch: ImportBatch, progress) -> tuple[int, int]:
    creating = Q(status=RowStatus.NEW) | Q(status=RowStatus.DUPLICATE, decision=Decision.CREATE)
    updating = Q(status=RowStatus.UPDATE) | Q(status=RowStatus.DUPLICATE, decision=Decision.UPDATE)
    total, done = batch.rows.filter(creating).count() + batch.rows.filter(updating).count(), 0
    rows = _walk(batch).defer("values", "errors", "reason")  # not needed to write, and the bulk of a row
    # Rows that meet no registry member stay new whatever else they hold: only the others are judged
    # again (a duplicate whose member has gone meets none and is judged too, to be found stale).
    for chunk in _chunks(rows.filter(creating & (may_meet_registry() | Q(status=RowStatus.DUPLICATE)))):
        _check_unchanged_since_preview(batch, chunk)
    _check_unions_still_admit(batch.rows.filter(creating))
    created_at = timezone.now()
    for chunk in _chunks(rows.filter(creating).values_list("pk", KT("data__full_name")), size=WRITE_CHUNK):
        create_members(chunk, created_at=created_at)
        done += len(chunk)
        progress(done, total, _("Writing to the registry"))
    created, updated = done, 0
    for chunk in _chunks(rows.filter(updating)):
        _check_unchanged_since_preview(batch, chunk)
        updated += _update_members(batch, chunk)
        done += len(chunk)
        progress(done, total, _("Writing to the registry"))
    return created, updated


def _check_unchanged_since_preview(batch: ImportBatch, chunk: list[ImportRow]) -> None:
    for row in chunk:
        if row.status == RowStatus.DUPLICATE and row.decision == Decision.UPDATE:
            # What the decision made of it, for the comparison below: an update of what an import changes.
            row.changes = taken_changes(row.changes)
            row.status = RowStatus.UPDATE if row.changes else RowStatus.UNCHANGED
    fresh = classify(batch, chunk)
    decided = [row for row in chunk if row.pk in fresh and row.decision == Decision.UPDATE]
    fresh.update(_judged_updates(batch, decided, fresh))  # as the decision judged them, whatever they leave
    for row in chunk:
        verdict = fresh.get(row.pk)
        if verdict is None:
            continue
        if (verdict.status, verdict.member_id, verdict.changes) != (row.status, row.member_id, row.changes):
            raise StalePreview(_("row %(row)s") % {"row": row.row_number})
    repeats = [row for row in chunk if row.duplicate_of is not None and row.decision == Decision.CREATE]
    if taken := _sharing_numbers(batch, repeats):  # since decided: someone took the ID or passport number
        raise StalePreview(_("row %(row)s") % {"row": min(r.row_number for r in repeats if r.pk in taken)})


def _check_unions_still_admit(to_create) -> None:
    """The preview checked each new member's union (``rows.admission_errors``); one dissolved since
    admits no one. The list is refused rather than refreshed: read again, its rows would be refused."""
    ended = to_create.filter(unit__dissolved_on__isnull=False).select_related("unit").order_by("row_number")
    if (row := ended.first()) is not None:
        problem = admission_errors(Member(joined_on=row.unit.dissolved_on), row.unit)["unit"]
        raise ValidationError(
            _("Row %(row)s: %(problem)s Discard this import and upload the list again.")
            % {"row": row.row_number, "problem": problem}
        )


def _update_members(batch: ImportBatch, chunk: list[ImportRow]) -> int:
    staged = ImportRow.objects.filter(batch=batch, pk__gte=chunk[0].pk, pk__lte=chunk[-1].pk)
    members = {m.pk: m for m in Member.objects.select_for_update().filter(pk__in=staged.values("member_id"))}
    befores, changed, fields = [], [], {"full_name", "search_name", "sort_key", "birth_year"}
    for row in chunk:
        if not row.changes:  # the same person, differing only in what an import leaves (the joining date)
            continue
        member = members[row.member_id]
        befores.append(member.audit_snapshot())
        changed.append(apply_changes(member, row.data, row.changes))
        fields.update(row.changes)
    Member.objects.bulk_update(changed, sorted(fields), batch_size=500)
    return log_many(action=ObjectChange.Action.UPDATE, objects=changed, befores=befores)


def _refresh_preview(batch: ImportBatch) -> None:
    """After a stale commit: classify the rows again; decisions survive only where the verdict did."""
    batch.refresh_from_db()
    classifiable = batch.rows.filter(parsed_ok=True, duplicate_of__isnull=True)
    for chunk in _chunks(_walk(batch).filter(parsed_ok=True, duplicate_of__isnull=True)):
        fresh = classify(batch, [_reset(row) for row in chunk])
        save_verdicts(fresh)
        kept = [
            row.pk
            for row in chunk
            if (fresh[row.pk].status, fresh[row.pk].member_id) == (row._previous_status, row._previous_member)
        ]
        classifiable.filter(pk__in=[row.pk for row in chunk]).exclude(pk__in=kept).update(
            decision=Decision.NONE
        )
        updating = [row for row in chunk if row.pk in kept and row.decision == Decision.UPDATE]
        _judge_kept_updates(batch, updating, fresh)
    # A repeated row stays 'a different person' only while its ID and passport numbers are free.
    repeats = batch.rows.filter(duplicate_of__isnull=False, decision=Decision.CREATE)
    for chunk in _chunks(_walk(batch).filter(duplicate_of__isnull=False, decision=Decision.CREATE)):
        repeats.filter(pk__in=list(_sharing_numbers(batch, chunk))).update(decision=Decision.NONE)
    _count(batch)


def _judge_kept_updates(batch: ImportBatch, rows: list[ImportRow], fresh: dict[int, Verdict]) -> None:
    """Kept 'same person' decisions (``fresh`` their verdicts), judged as ``decide`` judges them: the row
    says again what the update does, or, where the registry now refuses the update, the decision is asked
    again (kept, the commit would find it stale each time)."""
    judged = _judged_updates(batch, rows, fresh)
    refused = []
    for row in rows:
        verdict = judged[row.pk]
        if verdict.status == RowStatus.ERROR:
            refused.append(row.pk)
        row.reason = verdict.reason
    ImportRow.objects.filter(pk__in=refused).update(decision=Decision.NONE)
    ImportRow.objects.bulk_update([row for row in rows if row.pk not in refused], ["reason"])


def _judged_updates(
    batch: ImportBatch, rows: list[ImportRow], fresh: dict[int, Verdict]
) -> dict[int, Verdict]:
    """``judge_update`` of each of ``rows`` by the member its ``fresh`` verdict meets, the members read in
    one query; a row meeting none keeps its verdict."""
    members = Member.objects.select_related("unit").in_bulk(
        {fresh[row.pk].member_id for row in rows} - {None}
    )
    judged = {}
    for row in rows:
        verdict = fresh[row.pk]
        judged[row.pk] = (
            judge_update(batch, row, members[verdict.member_id]) if verdict.member_id else verdict
        )
    return judged


def _reset(row: ImportRow) -> ImportRow:
    row._previous_status, row._previous_member = row.status, row.member_id
    row.status, row.member_id, row.changes, row.errors = RowStatus.NEW, None, {}, []
    return row


# ------------------------------------------------------------------------------------------ the rest


@transaction.atomic
def discard_batch(*, batch: ImportBatch, user=None) -> ImportBatch:
    """Drop a previewed import and its staged rows (personal data) without writing anything."""
    _require_change_right(user, batch.unit)
    if batch.state == ImportBatch.State.COMMITTED:
        raise ValidationError(_("This import has been committed; it cannot be discarded."))
    batch.rows.all().delete()
    _drop_file(batch)
    batch.state = ImportBatch.State.DISCARDED
    batch.save()
    return batch


def summary(batch: ImportBatch) -> dict:
    """The result of an import as the command line prints it and the API returns it."""
    errors = [
        {"row": row.row_number, "column": error["column"], "message": error["message"]}
        for row in batch.rows.filter(status=RowStatus.ERROR).order_by("row_number").iterator()
        for error in row.errors
    ]
    duplicates = []
    for row in (
        batch.rows.filter(status=RowStatus.DUPLICATE).select_related("member__unit").order_by("row_number")
    ):
        visible = row.member is not None and row.member.unit.path.startswith(batch.unit.path)
        duplicates.append(
            {
                "row": row.row_number,
                "duplicate_of_row": row.duplicate_of,
                "member_code": row.member.code if visible else None,
                "message": row.reason,
                "changes": row.changes,
                "decision": row.decision,
            }
        )
    return {
        "file": batch.file_name,
        "format": batch.file_format,
        "sheet": batch.sheet,
        "encoding": batch.encoding,
        "legacy_encoding": batch.legacy_encoding,
        "unit": batch.unit.code,
        "mode": batch.mode,
        "state": batch.state,
        "file_error": batch.file_error or None,
        "header_row": batch.header_row,
        "columns": [c["header"] for c in batch.columns],
        "notices": batch.notices,
        "rows": batch.rows_total,
        "valid": batch.rows_total - batch.rows_error,
        "new": batch.rows_new,
        "to_update": batch.rows_update,
        "unchanged": batch.rows_unchanged,
        "created": batch.created,
        "updated": batch.updated,
        "errors": errors,
        "duplicates": duplicates,
    }


def _batch_page(job, user) -> str:
    return reverse("members:import", args=[job.params["batch_id"]])


@jobs.job(label=gettext_lazy("Reading an import file"), page=_batch_page)
def read_batch_job(job, *, batch_id: int) -> dict:
    batch = read_batch(batch=ImportBatch.objects.get(pk=batch_id), progress=_reporter(job))
    return _counts(batch)


@jobs.job(label=gettext_lazy("Saving an import"), page=_batch_page)
def commit_batch_job(job, *, batch_id: int, skip_undecided: bool = False) -> dict:
    batch = commit_batch(
        batch=ImportBatch.objects.get(pk=batch_id),
        user=job.user,
        skip_undecided=skip_undecided,
        progress=_reporter(job),
    )
    return _counts(batch)


def _reporter(job):
    return lambda done, total, phase: jobs.report(job, done, total, phase)


def _counts(batch: ImportBatch) -> dict:
    return {key: value for key, value in summary(batch).items() if key not in ("errors", "duplicates")}


def start_reading(*, batch: ImportBatch):
    """Read the batch in the background (a large list takes minutes); the job reports progress."""
    batch.job = jobs.enqueue(read_batch_job, user=batch.created_by, unit=batch.unit, batch_id=batch.pk)
    batch.save(update_fields=["job"])
    return batch.job


def start_commit(*, batch: ImportBatch, user=None, skip_undecided: bool = False):
    _require_change_right(user, batch.unit)
    batch.job = jobs.enqueue(
        commit_batch_job, user=user, unit=batch.unit, batch_id=batch.pk, skip_undecided=skip_undecided
    )
    batch.save(update_fields=["job"])
    return batch.job
