from rest_framework.routers import SimpleRouter

from congdoan.plans.api import views

router = SimpleRouter()
router.register("programmes", views.ProgrammeViewSet, basename="programme")

app_name = "plans-api"
urlpatterns = router.urls
