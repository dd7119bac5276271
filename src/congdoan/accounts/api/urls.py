from django.urls import path
from rest_framework.routers import SimpleRouter

from congdoan.accounts.api import views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")

app_name = "accounts-api"
urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("token/", views.TokenView.as_view(), name="token"),
    *router.urls,
]
