from django.urls import path
from rest_framework.routers import SimpleRouter

from congdoan.plans.api import allocation, progress, views

router = SimpleRouter()
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("allocations", allocation.AllocationViewSet, basename="allocation")
router.register("allocation-shares", allocation.ShareViewSet, basename="allocation-share")
router.register("reported-values", allocation.ReportedValueViewSet, basename="reported-value")

app_name = "plans-api"
urlpatterns = [
    *router.urls,
    path(
        "programmes/<str:ref>/progress/", progress.ProgrammeProgressView.as_view(), name="programme-progress"
    ),
]
