from rest_framework.routers import SimpleRouter

from congdoan.members.api import views

router = SimpleRouter()
router.register("members", views.MemberViewSet, basename="member")
router.register("member-events", views.MemberEventViewSet, basename="member-event")
router.register("member-imports", views.ImportBatchViewSet, basename="member-import")
router.register("member-jobs", views.MemberJobViewSet, basename="member-job")

app_name = "members-api"
urlpatterns = router.urls
