from rest_framework.routers import SimpleRouter

from congdoan.units.api import views

router = SimpleRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("unit-types", views.UnitTypeViewSet, basename="unit-type")
router.register("employers", views.EmployerViewSet, basename="employer")
router.register("employer-workforce", views.EmployerWorkforceViewSet, basename="employer-workforce")
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("reorganisations", views.ReorganisationViewSet, basename="reorganisation")

app_name = "units-api"
urlpatterns = router.urls
