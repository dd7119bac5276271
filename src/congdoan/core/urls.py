from django.urls import path

from congdoan.core import job_views

app_name = "core"

urlpatterns = [
    path("", job_views.job_list, name="jobs"),
]
