from rest_framework.routers import SimpleRouter

from congdoan.audit.api import views

router = SimpleRouter()
router.register("changes", views.ObjectChangeViewSet, basename="change")

app_name = "audit-api"
urlpatterns = router.urls
