from django.contrib.auth import views as auth_views
from django.urls import path

from congdoan.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_form, name="user_create"),
    path("users/<int:pk>/", views.user_form, name="user_edit"),
]
