from django.urls import path

from congdoan.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("<str:ref>/", views.programme_detail, name="detail"),
]
