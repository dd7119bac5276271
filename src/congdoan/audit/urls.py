from django.urls import path

from congdoan.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.change_list, name="list"),
    path("<int:pk>/", views.change_detail, name="detail"),
    path("unit/<str:code>/", views.unit_changes, name="unit"),
    path("object/<int:content_type_id>/<int:object_id>/", views.object_changes, name="object"),
]
