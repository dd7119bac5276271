from django.urls import path
from rest_framework.routers import SimpleRouter

from congdoan.plans.api import progress, views

router = SimpleRouter()
router.register("programmes", views.ProgrammeViewSet, basename="programme")

app_name = "plans-api"
urlpatterns = [
    *router.urls,
    path(
        "programmes/<str:ref>/progress/", progress.ProgrammeProgressView.as_view(), name="programme-progress"
    ),
]
