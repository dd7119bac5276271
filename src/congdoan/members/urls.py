from django.urls import path

from congdoan.members import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("count/", views.member_count, name="count"),
    path("new/", views.member_admit, name="admit"),
    path("export/", views.member_export, name="export"),
    path("export/<int:pk>/", views.export_job, name="export_job"),
    path("export/<int:pk>/file/", views.export_file, name="export_file"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("imports/", views.import_list, name="imports"),
    path("imports/template/", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/decide/", views.import_decide, name="import_decide"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("imports/<int:pk>/errors/", views.import_errors, name="import_errors"),
    path("units/<str:code>/print/", views.unit_list_print, name="print"),
    path("m/<str:code>/", views.member_detail, name="detail"),
    path("m/<str:code>/edit/", views.member_edit, name="edit"),
    path("m/<str:code>/transfer/", views.TransferView.as_view(), name="transfer"),
    path("m/<str:code>/suspend/", views.SuspendView.as_view(), name="suspend"),
    path("m/<str:code>/resume/", views.ResumeView.as_view(), name="resume"),
    path("m/<str:code>/end/", views.EndView.as_view(), name="end"),
    path("m/<str:code>/receive/", views.ReceiveView.as_view(), name="receive"),
    path("m/<str:code>/readmit/", views.ReadmitView.as_view(), name="readmit"),
    path("m/<str:code>/merge/<str:other_code>/", views.merge, name="merge"),
]
