from rest_framework.routers import SimpleRouter

from congdoan.members.api import cards, views

router = SimpleRouter()
router.register("members", views.MemberViewSet, basename="member")
router.register("member-events", views.MemberEventViewSet, basename="member-event")
router.register("member-imports", views.ImportBatchViewSet, basename="member-import")
router.register("member-jobs", views.MemberJobViewSet, basename="member-job")
router.register("card-requests", cards.CardRequestViewSet, basename="card-request")
router.register("card-batches", cards.CardBatchViewSet, basename="card-batch")
router.register("member-cards", cards.MemberCardViewSet, basename="member-card")
router.register("card-coverage", cards.CardCoverageViewSet, basename="card-coverage")

app_name = "members-api"
urlpatterns = router.urls
