"""Member pages: the list, a member's record, admission, corrections and the lifecycle steps, imports,
exports and the printable list, duplicates and merges.

Every member is fetched through the user's scope (``selectors.member_for``, ``selectors.members_for``);
writes go through ``members.services`` and the import engine's services. Personal data is masked in lists;
the full values are shown only on request to the roles that may see them, and each showing is recorded.
"""

import datetime
import importlib.util
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for, restrict
from congdoan.audit.models import PersonalDataAccess
from congdoan.audit.services import log_personal_data_access
from congdoan.core import jobs
from congdoan.core.models import Job
from congdoan.members import downloads, duplicate_scans, exports, import_steps, selectors
from congdoan.members.filtersets import MemberFilterSet
from congdoan.members.forms import (
    AdmitForm,
    DecideForm,
    EditMemberForm,
    EndForm,
    ImportTemplateForm,
    ImportUploadForm,
    LifecycleForm,
    MergeForm,
    ReadmitForm,
    ReceiveForm,
    ResumeForm,
    SuspendForm,
    TransferForm,
)
from congdoan.members.imports import services as import_services
from congdoan.members.imports import workbooks
from congdoan.members.imports.models import ImportBatch, ImportRow
from congdoan.members.models import MEMBER_STATES, RETURNABLE_STATES, DuplicateScan, Member, Status
from congdoan.members.tables import MemberTable
from congdoan.units.forms import AsOfForm
from congdoan.units.models import Level, Unit

PAGE_SIZE = 50
PRINTABLE_LEVELS = (Level.GRASSROOTS, Level.SUBUNIT)


# ------------------------------------------------------------------------------------------------ list


@dataclass
class ListPage:
    """A page of a long list read without counting the whole list: one row more than the page tells
    whether another page follows (a province holds up to 800,000 members)."""

    number: int
    rows: list
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _page(rows, requested: str | None, size: int | None = None) -> ListPage:
    """A page of ``rows`` (a list, or a queryset read a page at a time), ``size`` rows (PAGE_SIZE)."""
    size = size or PAGE_SIZE
    try:
        number = max(1, int(requested or 1))
    except ValueError:
        number = 1
    start = (number - 1) * size
    shown = list(rows[start : start + size + 1])
    return ListPage(number=number, rows=shown[:size], has_next=len(shown) > size)


def _filtered(request) -> MemberFilterSet:
    # Always bound: an empty query still lists current members only (the filterset's default).
    return MemberFilterSet(request.GET, queryset=selectors.members_for(request.user), request=request)


@require_safe
def member_list(request):
    filterset = _filtered(request)
    table = MemberTable(request.GET.get("sort"))
    page = _page(table.order(filterset.qs), request.GET.get("page"))
    for member in page.rows:  # where and how each stood on the list's day (today unless ``at``)
        member.standing = exports.standing(member)
    rows = [(member, selectors.PersonalData.masked(member)) for member in page.rows]
    chosen = filterset.form.cleaned_data if filterset.is_valid() else {}
    unit = chosen.get("unit")
    return render(
        request,
        "members/member_list.html",
        {
            "filterset": filterset,
            "table": table,
            "page": page,
            "rows": rows,
            "on": chosen.get("at"),
            "can_change": request.user.can(Action.CHANGE),
            "may_export_personal": exports.may_export_personal_data(request.user),
            # The standard list of one CĐCS, when the list is filtered to one.
            "print_unit": unit if unit and unit.unit_type.level in PRINTABLE_LEVELS else None,
        },
    )


@require_safe
def member_count(request):
    """How many members the list holds, asked for by the list page once it is shown (htmx)."""
    filterset = _filtered(request)
    return render(request, "members/_count.html", {"count": filterset.qs.count()})


# ---------------------------------------------------------------------------------------------- record


@require_safe
def member_detail(request, code: str):
    user = request.user
    member = selectors.member_for(user, code)
    revealed = request.GET.get("reveal") == "1"
    if revealed:
        personal = selectors.personal_data(user=user, member=member, reason=request.GET.get("reason", ""))
    else:
        personal = selectors.PersonalData.masked(member)
    can_change = (
        member.merged_into_id is None
        and restrict(Member.objects.filter(pk=member.pk), user, Action.CHANGE).exists()
    )
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "personal": personal,
            "can_reveal": selectors.may_see_personal_data(user) and not revealed,
            "events": selectors.events_of(member),
            "memberships": selectors.memberships_of(member),
            "merged_records": member.merged_records.order_by("code"),
            "accesses": selectors.accesses_of(user, member)[:20],
            "can_change": can_change,
            "is_member": member.status in MEMBER_STATES,
            "is_active": member.status == Status.ACTIVE,
            "is_suspended": member.status == Status.SUSPENDED,
            "may_return": member.status in RETURNABLE_STATES,
        },
    )


def member_admit(request):
    if not request.user.can(Action.CHANGE):
        raise PermissionDenied(_("Your role does not allow this change."))
    form = AdmitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            member = form.save()
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(name)s was registered with the member code %(code)s.")
                % {"name": member.full_name, "code": member.code},
            )
            return redirect("members:detail", code=member.code)
    return render(request, "members/member_form.html", {"form": form, "member": None})


def member_edit(request, code: str):
    member = selectors.member_for(request.user, code, Action.CHANGE)
    if member.merged_into_id:
        raise PermissionDenied(_("This record was merged into another one; correct that one instead."))
    if request.method != "POST":
        # The form shows the personal data in full: an access like any other.
        selectors.personal_data(user=request.user, member=member, action=PersonalDataAccess.Action.EDIT)
    form = EditMemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The member's details were saved."))
            return redirect("members:detail", code=member.code)
    return render(request, "members/member_form.html", {"form": form, "member": member})


class LifecycleView(View):
    """A lifecycle step (transfer, suspend, resume, end, come back) through its form's service, in a
    transaction; the form says what the page is called and what it tells once done."""

    form_class: type[LifecycleForm]
    submit = gettext_lazy("Record")

    def dispatch(self, request, *args, code: str, **kwargs):
        self.member = selectors.member_for(request.user, code, Action.CHANGE)
        if self.member.merged_into_id:
            raise PermissionDenied(_("This record was merged into another one."))
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form):
        return render(
            self.request,
            "members/lifecycle_form.html",
            {"form": form, "member": self.member, "title": form.title, "submit": self.submit},
        )

    def get(self, request):
        return self.render_form(self.form_class(user=request.user, member=self.member))

    def post(self, request):
        form = self.form_class(request.POST, user=request.user, member=self.member)
        if form.is_valid():
            try:
                with transaction.atomic():
                    form.apply()
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, form.done % {"name": self.member.full_name})
                return redirect("members:detail", code=self.member.code)
        return self.render_form(form)


def _lifecycle_view(form_class: type[LifecycleForm]) -> type[LifecycleView]:
    name = form_class.__name__.removesuffix("Form") + "View"
    return type(name, (LifecycleView,), {"form_class": form_class, "__module__": __name__})


TransferView = _lifecycle_view(TransferForm)
SuspendView = _lifecycle_view(SuspendForm)
ResumeView = _lifecycle_view(ResumeForm)
EndView = _lifecycle_view(EndForm)
ReceiveView = _lifecycle_view(ReceiveForm)
ReadmitView = _lifecycle_view(ReadmitForm)


# -------------------------------------------------------------------------------------------- exports


@require_safe
def member_export(request):
    """The filtered list as .xlsx or .csv; in full (personal data unmasked) for the roles that may."""
    format = request.GET.get("format", "xlsx")
    if format not in ("xlsx", "csv"):
        raise Http404(_("Unknown file format."))
    full = request.GET.get("full") == "1"
    if full and not exports.may_export_personal_data(request.user):
        raise PermissionDenied(_("Your role does not allow exporting personal data; export the masked list."))
    query = request.GET.copy()
    for name in ("format", "full", "page"):
        query.pop(name, None)
    query = query.urlencode()
    try:
        members, unit, _on = downloads.filtered_members(request.user, query)
    except ValidationError:
        # The list shows each refused filter under its field.
        messages.error(request, _("Correct the list's filters, then export it."))
        return redirect(f"{reverse('members:list')}?{query}")
    if downloads.is_long(members):
        job = downloads.start_export(user=request.user, query=query, format=format, full=full, unit=unit)
        return redirect("members:export_job", pk=job.pk)
    return downloads.list_response(user=request.user, query=query, format=format, full=full)


def _export_job(request, pk) -> Job:
    return get_for(downloads.export_jobs_of(request.user), request.user, Action.VIEW, pk=pk)


@require_safe
def export_job(request, pk: int):
    job = _export_job(request, pk)
    template = "members/_export_progress.html" if request.htmx else "members/export_job.html"
    return render(request, template, {"job": job, "state": jobs.status(job)})


@require_safe
def export_file(request, pk: int):
    return downloads.job_file_response(_export_job(request, pk))


# ------------------------------------------------------------------------------------ printable list


def pdf_available() -> bool:
    return importlib.util.find_spec("weasyprint") is not None


@require_safe
def unit_list_print(request, code: str):
    """The standard member list of a CĐCS as a document: the official header, the list, signatures."""
    user = request.user
    unit = get_for(Unit.objects.select_related("unit_type", "parent", "area"), user, Action.VIEW, code=code)
    if unit.unit_type.level not in PRINTABLE_LEVELS:
        raise Http404(_("The printable list is that of a grassroots union."))
    as_of = AsOfForm(request.GET or None)
    on = as_of.on()
    full = exports.may_export_personal_data(user)
    memberships = list(exports.members_on(unit=unit, on=on, user=user))
    if full:
        log_personal_data_access(
            action=PersonalDataAccess.Action.PRINT,
            obj=unit,
            unit_id=unit.pk,
            detail=f"{len(memberships)} · {on:%d/%m/%Y}",
        )
    unit_name, parent_name = exports.heading_names(unit=unit, on=on)
    context = {
        "unit": unit,
        "unit_name": unit_name,
        "parent_name": parent_name,
        "on": on,
        "issued_on": timezone.localdate(),  # the document's date; ``on`` is the day the list stands at
        "rows": [
            (
                m.member,
                m.state,
                selectors.PersonalData.unmasked(m.member)
                if full
                else selectors.PersonalData.masked(m.member),
            )
            for m in memberships
        ],
        "full": full,
        "as_pdf": request.GET.get("format") == "pdf",
        "pdf_available": pdf_available(),
        "query": request.GET.urlencode(),
    }
    if context["as_pdf"]:
        if not context["pdf_available"]:
            raise Http404(_("PDF output is not installed on this server; print the page instead."))
        from weasyprint import HTML

        html = render_to_string("members/print_list.html", context, request=request)
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="danh-sach-doan-vien-{unit.code}.pdf"'
        return response
    return render(request, "members/print_list.html", context)


# -------------------------------------------------------------------------------------------- imports

ROW_FILTERS = {
    "all": gettext_lazy("All rows"),
    ImportRow.Status.ERROR: gettext_lazy("Errors"),
    ImportRow.Status.DUPLICATE: gettext_lazy("Possible duplicates"),
    ImportRow.Status.NEW: gettext_lazy("New members"),
    ImportRow.Status.UPDATE: gettext_lazy("Updates"),
    ImportRow.Status.UNCHANGED: gettext_lazy("Unchanged"),
}
# The batch's count of the rows each filter shows, for the tabs.
ROW_COUNTS = {
    "all": "rows_total",
    ImportRow.Status.ERROR: "rows_error",
    ImportRow.Status.DUPLICATE: "rows_duplicate",
    ImportRow.Status.NEW: "rows_new",
    ImportRow.Status.UPDATE: "rows_update",
    ImportRow.Status.UNCHANGED: "rows_unchanged",
}


def _batches(user):
    """Imports are for those who may change members (the staged rows hold the file's personal data)."""
    return restrict(ImportBatch.objects.select_related("unit", "created_by", "job"), user, Action.CHANGE)


def _batch(request, pk) -> ImportBatch:
    return get_for(
        ImportBatch.objects.select_related("unit", "unit__unit_type", "job"),
        request.user,
        Action.CHANGE,
        pk=pk,
    )


def import_list(request):
    if not request.user.can(Action.CHANGE):
        raise PermissionDenied(_("Your role does not allow importing members."))
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = import_steps.upload(
                file=data["file"], unit=data["unit"], mode=data["mode"], user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("members:import", pk=batch.pk)
    page = _page(_batches(request.user), request.GET.get("page"))
    template_form = ImportTemplateForm(user=request.user)
    return render(
        request, "members/import_list.html", {"form": form, "template_form": template_form, "page": page}
    )


def import_detail(request, pk: int):
    batch = _batch(request, pk)
    if import_steps.busy(batch):
        return render(
            request, "members/import_progress.html", {"batch": batch, "state": jobs.status(batch.job)}
        )
    shown = request.GET.get("rows", "all")
    if shown not in ROW_FILTERS:
        shown = "all"
    rows = batch.rows.select_related("member", "member__unit").order_by("row_number")
    if shown != "all":
        rows = rows.filter(status=shown)
    page = _page(rows, request.GET.get("page"))
    headers = [column["header"] for column in batch.columns]
    can_commit = batch.state == ImportBatch.State.READY
    allowed = import_services.allowed_decisions(batch=batch, rows=page.rows) if can_commit else {}
    # The registry's personal data that the rows' changes show: masked, or in full and recorded.
    revealed = request.GET.get("reveal") == "1"
    if revealed:
        import_steps.show_personal_data(
            user=request.user, batch=batch, rows=page.rows, reason=request.GET.get("reason", "")
        )
    for row in page.rows:
        row.cells = list(zip(headers, row.values, strict=False))
        changes = row.changes if revealed else import_steps.masked_changes(row.changes)
        row.change_list = [(_field_label(name), old, new) for name, (old, new) in changes.items()]
        row.offered, row.refused = _decisions_of(allowed.get(row.pk, {}))
    return render(
        request,
        "members/import_detail.html",
        {
            "batch": batch,
            "page": page,
            "shown": shown,
            "filters": [(key, label, getattr(batch, ROW_COUNTS[key])) for key, label in ROW_FILTERS.items()],
            "same_file": _same_file(request.user, batch),
            # What the error report holds once the list is in (a 'same person' that had nothing to write,
            # but its joining date, is not among them).
            "not_imported": workbooks.report_rows(batch).count(),
            "undecided": import_steps.undecided(batch),
            "failed_job": batch.job if batch.job and batch.job.state == Job.State.FAILED else None,
            "decisions": [c for c in ImportRow.Decision.choices if c[0]],
            "can_commit": can_commit,
            "revealed": revealed,
            "can_reveal": not revealed
            and selectors.may_see_personal_data(request.user)
            and import_steps.hides_personal_data(page.rows),
        },
    )


def _decisions_of(allowed: dict[str, str | None]) -> tuple[list, list]:
    """The decisions a row offers, as (value, label), and those it does not, as (label, why)."""
    labels = dict(ImportRow.Decision.choices)
    offered = [(value, labels[value]) for value, reason in allowed.items() if reason is None]
    refused = [(labels[value], reason) for value, reason in allowed.items() if reason is not None]
    return offered, refused


def _same_file(user, batch: ImportBatch) -> list[ImportBatch]:
    """Earlier uploads of the very same file (by its fingerprint) that the user may see: a list uploaded
    twice by mistake, or a preview left waiting while the fixed list was uploaded again."""
    if not batch.file_sha256:
        return []
    earlier = _batches(user).filter(file_sha256=batch.file_sha256, created_at__lte=batch.created_at)
    return list(earlier.exclude(pk=batch.pk).exclude(state=ImportBatch.State.DISCARDED)[:5])


def _field_label(name: str) -> str:
    try:
        return str(Member._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@require_safe
def import_progress(request, pk: int):
    """The progress bar, polled by the page; once the job is over the page reloads to show the result."""
    batch = _batch(request, pk)
    if not import_steps.busy(batch):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "members/_import_progress.html", {"batch": batch, "state": jobs.status(batch.job)})


@require_POST
def import_decide(request, pk: int):
    batch = _batch(request, pk)
    form = DecideForm(request.POST, batch=batch)
    anchor = ""  # a refusal is read at the top of the page, where the messages are
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    else:
        try:
            count = import_services.decide(
                batch=batch,
                rows=form.cleaned_data["rows"],
                decision=form.cleaned_data["decision"],
                user=request.user,
            )
        except ValidationError as error:
            _refused_decision(request, error.messages)
        else:
            messages.success(request, _("Decision recorded for %(n)s rows.") % {"n": count})
            decided = form.cleaned_data["rows"]
            if not form.cleaned_data["all_undecided"] and len(decided) == 1:
                anchor = f"#row-{decided[0]}"  # back to the row, on the page it was decided on
    return redirect(_duplicates_page(batch, request.POST.get("page")) + anchor)


REFUSALS_SHOWN = 5


def _refused_decision(request, problems: list[str]) -> None:
    """A decision for many rows is refused whole when some cannot take it: say so, and name the first
    few rows rather than a screenful of messages."""
    if len(problems) > 1:
        messages.error(
            request,
            _("No decision was recorded: %(n)s rows cannot take it; decide them one by one.")
            % {"n": len(problems)},
        )
    for message in problems[:REFUSALS_SHOWN]:
        messages.error(request, message)
    if len(problems) > REFUSALS_SHOWN:
        messages.error(request, _("… and %(n)s more rows.") % {"n": len(problems) - REFUSALS_SHOWN})


def _duplicates_page(batch: ImportBatch, page: str | None) -> str:
    address = f"{reverse('members:import', kwargs={'pk': batch.pk})}?rows={ImportRow.Status.DUPLICATE}"
    return f"{address}&page={int(page)}" if page and page.isdigit() and int(page) > 1 else address


@require_POST
def import_commit(request, pk: int):
    batch = _batch(request, pk)
    try:
        import_steps.commit(
            batch=batch, user=request.user, skip_undecided=request.POST.get("skip_undecided") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("members:import", pk=batch.pk)


@require_POST
def import_discard(request, pk: int):
    """Asked to confirm first where htmx runs ("Hủy" also reads as "cancel", and the preview's decisions
    would go with it); the whole page then follows the redirect."""
    batch = _batch(request, pk)
    try:
        import_services.discard_batch(batch=batch, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        destination = reverse("members:import", kwargs={"pk": batch.pk})
    else:
        messages.success(request, _("The import was discarded; nothing was written."))
        destination = reverse("members:imports")
    return HttpResponseClientRedirect(destination) if request.htmx else redirect(destination)


@require_safe
def import_errors(request, pk: int):
    """The rows not imported, with their reasons, to fix and upload again."""
    batch = _batch(request, pk)
    return downloads.download(
        lambda stream: workbooks.error_report(stream, batch=batch), workbooks.report_name(batch)
    )


@require_safe
def import_template(request):
    """The empty list to fill in, for a unit the user may change."""
    unit = get_for(
        Unit.objects.select_related("unit_type"),
        request.user,
        Action.CHANGE,
        code=request.GET.get("unit") or getattr(request.user.unit, "code", ""),
    )
    mode = request.GET.get("mode", ImportBatch.Mode.ADD)
    if mode not in ImportBatch.Mode.values:
        mode = ImportBatch.Mode.ADD
    return downloads.download(
        lambda stream: workbooks.template(stream, unit=unit, mode=mode),
        f"mau-danh-sach-doan-vien-{unit.code}.xlsx",
    )


# ----------------------------------------------------------------------------------------- duplicates

DUPLICATES_PAGE = 50


def _duplicates_unit(request, data) -> tuple[MemberFilterSet, Unit | None]:
    # The unit picker of the list's filters, for the choice of a unit in scope.
    filterset = MemberFilterSet(
        {"unit": data.get("unit", "")}, queryset=Member.objects.none(), request=request
    )
    return filterset, filterset.form.cleaned_data.get("unit") if filterset.is_valid() else None


@require_http_methods(["GET", "HEAD", "POST"])
def duplicates(request):
    """Records that may be the same person, by the weighted rules, in the user's scope (or a unit of it).

    A scope too large to compare while the page waits is compared by a background scan (POST starts
    one); the page then shows the unit's latest scan."""
    if request.method == "POST":
        return _start_duplicate_scan(request)
    filterset, unit = _duplicates_unit(request, request.GET)
    members = selectors.members_under(request.user, unit)
    too_many = selectors.too_many_to_compare(members)
    scanned_unit = (unit or request.user.unit) if too_many else None
    scan = pending = None
    if scanned_unit is not None:
        scan = duplicate_scans.latest_scan(request.user, scanned_unit)
        pending = duplicate_scans.pending_scan(request.user, scanned_unit, scan)
    if scan is not None:
        pairs = duplicate_scans.shown_pairs(scan, request.user)
        page = _page(pairs, request.GET.get("page"), DUPLICATES_PAGE)
        page.rows = [duplicate_scans.as_pair(row) for row in page.rows]
        total = pairs.count()
    else:
        # Every pair is found and scored from the records' keys; only the page's get their records.
        pairs = [] if too_many else selectors.candidate_pairs(members)
        page, total = _page(pairs, request.GET.get("page"), DUPLICATES_PAGE), len(pairs)
        page.rows = selectors.with_records(page.rows, selectors.SHOWN_FIELDS)
    return render(
        request,
        "members/duplicates.html",
        {
            "filterset": filterset,
            "page": page,
            "total": total,
            "rules": selectors.DUPLICATE_RULES,
            "threshold": selectors.DUPLICATE_THRESHOLD,
            "too_many": too_many and selectors.DUPLICATES_MAX_MEMBERS,
            "can_change": request.user.can(Action.CHANGE),
            "scanned_unit": scanned_unit,
            "scan": scan,
            "pending": pending,
            "pending_state": jobs.status(pending.job) if pending else None,
        },
    )


def _start_duplicate_scan(request):
    if not request.user.can(Action.CHANGE):
        raise PermissionDenied(_("Your role does not allow this change."))
    filterset, unit = _duplicates_unit(request, request.POST)
    if not filterset.is_valid():
        messages.error(request, _("Unit: choose a unit of your scope to compare."))
        return redirect("members:duplicates")
    unit = unit or request.user.unit
    if unit is None:
        messages.error(request, _("Unit: choose the unit whose members to compare."))
        return redirect("members:duplicates")
    duplicate_scans.start_scan(user=request.user, unit=unit)
    return redirect(f"{reverse('members:duplicates')}?unit={unit.code}")


@require_safe
def duplicate_scan(request, pk: int):
    """The progress of a background scan (htmx polls it); once it ends, the page reloads to show it."""
    scan = get_for(DuplicateScan.objects.select_related("job", "unit"), request.user, Action.VIEW, pk=pk)
    state = jobs.status(scan.job) if scan.job else None
    response = render(
        request, "members/_duplicate_scan_progress.html", {"pending": scan, "pending_state": state}
    )
    if scan.finished_at is not None:
        response["HX-Refresh"] = "true"
    return response


def merge(request, code: str, other_code: str):
    """Compare two records side by side, preview the merge (made and rolled back), then confirm it."""
    user = request.user
    if code == other_code:  # nothing to compare: no page, and no record opened for it
        raise Http404(_("A record cannot be merged with itself."))
    keep = selectors.member_for(user, code, Action.CHANGE)
    other = selectors.member_for(user, other_code, Action.CHANGE)
    form = MergeForm(request.POST or None, keep=keep, other=other)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                merged = form.apply()
                if "confirm" not in request.POST:
                    preview = {
                        "member": merged,
                        "memberships": list(selectors.memberships_of(merged)),
                        "events": list(selectors.events_of(merged)),
                    }
                    transaction.set_rollback(True)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if preview is None:
                messages.success(
                    request,
                    _("%(other)s was merged into %(keep)s.") % {"other": other.code, "keep": keep.code},
                )
                return redirect("members:detail", code=keep.code)
    elif request.method != "POST":
        # Deciding needs the two records in full: both openings are recorded.
        for record in (keep, other):
            selectors.personal_data(user=user, member=record, reason=_("comparing possible duplicates"))
    fields = [
        (Member._meta.get_field(name).verbose_name, _shown(keep, name), _shown(other, name))
        for name in MERGE_SHOWN
    ]
    return render(
        request,
        "members/merge.html",
        {"keep": keep, "other": other, "form": form, "fields": fields, "preview": preview},
    )


MERGE_SHOWN = (
    "full_name",
    "birth_date",
    "birth_year",
    "gender",
    "id_number",
    "passport_number",
    "phone",
    "email",
    "ethnic_group",
    "joined_on",
    "unit",
    "status",
    "occupation",
    "union_position",
    "card_type",
)


def _shown(member: Member, name: str) -> str:
    field = Member._meta.get_field(name)
    value = getattr(member, name)
    if value in (None, ""):
        return "—"
    if field.choices:
        return getattr(member, f"get_{name}_display")()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)
