from django.urls import path

from congdoan.units import views

app_name = "units"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("pick/", views.pick, name="pick"),
    path("list/", views.unit_list, name="list"),
    path("employers/", views.employer_list, name="employers"),
    path("employers/<int:pk>/", views.employer_form, name="employer_edit"),
    path("employers/<int:pk>/delete/", views.employer_delete, name="employer_delete"),
    path("employers/<int:pk>/workforce/", views.employer_workforce, name="employer_workforce"),
    path(
        "employers/workforce/<int:pk>/remove/",
        views.employer_workforce_remove,
        name="employer_workforce_remove",
    ),
    path("decisions/", views.decision_list, name="decisions"),
    path("decisions/new/", views.decision_create, name="decision_create"),
    path("decisions/<int:pk>/file/", views.decision_file, name="decision_file"),
    path("reorganise/move/", views.MoveView.as_view(), name="move"),
    path("reorganise/merge/", views.MergeView.as_view(), name="merge"),
    path("u/<str:code>/", views.detail, name="detail"),
    path("u/<str:code>/children/", views.tree_children, name="tree_children"),
    path("u/<str:code>/edit/", views.unit_edit, name="edit"),
    path("u/<str:code>/employers/new/", views.employer_form, name="employer_create"),
    path("u/<str:code>/rename/", views.RenameView.as_view(), name="rename"),
    path("u/<str:code>/split/", views.SplitView.as_view(), name="split"),
    path("u/<str:code>/dissolve/", views.DissolveView.as_view(), name="dissolve"),
]
