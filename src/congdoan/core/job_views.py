"""The background jobs page: what ran, runs or failed in the user's subtree, newest first."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from congdoan.core.filtersets import JobFilterSet
from congdoan.core.job_selectors import JobRow, kind_choices, visible_jobs

PAGE_SIZE = 50


@require_safe
def job_list(request):
    visible = visible_jobs(request.user)
    filterset = JobFilterSet(request.GET or None, queryset=visible)
    filterset.form.fields["kind"].widget = forms.Select(choices=[("", "---------"), *kind_choices(visible)])
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [JobRow.of(job, request.user) for job in page.object_list]
    context = {
        "filterset": filterset,
        "page": page,
        "rows": rows,
        # While a job of the page is under way, the table asks again for itself.
        "under_way": any(row.under_way for row in rows),
    }
    template = "core/_job_rows.html" if request.htmx else "core/job_list.html"
    return render(request, template, context)
