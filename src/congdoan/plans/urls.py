from django.urls import path

from congdoan.plans import allocation_views, progress_views, views
from congdoan.plans.forms import PART_FORMS

app_name = "plans"

urlpatterns = [
    path("", views.programme_list, name="list"),
    # Before "<str:ref>/": these words are not programme references.
    path("shares/", allocation_views.my_shares, name="my-shares"),
    path("shares/<int:pk>/adopt/", allocation_views.adopt_share, name="adopt-share"),
    path("targets/<int:pk>/allocation/", allocation_views.target_allocation, name="target-allocation"),
    path("targets/<int:pk>/figures/", allocation_views.target_figures, name="target-figures"),
    path("new/", views.programme_create, name="create"),
    path("<str:ref>/", views.programme_detail, name="detail"),
    path("<str:ref>/edit/", views.programme_edit, name="edit"),
    path("<str:ref>/delete/", views.programme_delete, name="delete"),
    path("<str:ref>/tasks/<int:pk>/progress/", views.task_progress, name="task_progress"),
    path("<str:ref>/progress/", progress_views.programme_progress, name="progress"),
    path("<str:ref>/progress.xlsx", progress_views.progress_export, name="progress-export"),
    path("<str:ref>/targets/<int:pk>/progress/", progress_views.target_progress, name="target-progress"),
    path("units/<str:code>/targets/", progress_views.unit_live_targets, name="unit-targets"),
]
# The parts of a programme, one set of routes per kind; reverse them with the kind, e.g.
# {% url 'plans:part_create' ref=programme.ref kind='targets' %}.
for kind in PART_FORMS:
    urlpatterns += [
        path(f"<str:ref>/{kind}/new/", views.part_form, {"kind": kind}, name="part_create"),
        path(f"<str:ref>/{kind}/<int:pk>/", views.part_form, {"kind": kind}, name="part_edit"),
        path(f"<str:ref>/{kind}/<int:pk>/delete/", views.part_delete, {"kind": kind}, name="part_delete"),
        path(f"<str:ref>/{kind}/<int:pk>/move/", views.part_move, {"kind": kind}, name="part_move"),
    ]
