from django.urls import path
from rest_framework.routers import SimpleRouter

from congdoan.plans.api import allocation, progress, views

router = SimpleRouter()
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("programme-targets", views.TargetViewSet, basename="target")
router.register("programme-tasks", views.TaskViewSet, basename="task")
router.register("programme-responsibilities", views.ResponsibilityViewSet, basename="responsibility")
router.register("programme-deadlines", views.DeadlineViewSet, basename="deadline")
router.register("programme-recipients", views.RecipientViewSet, basename="recipient")
router.register("programme-bases", views.BasisViewSet, basename="basis")
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
