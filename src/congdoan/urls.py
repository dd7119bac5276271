from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="units:tree", permanent=False)),
    path("accounts/", include("congdoan.accounts.urls")),
    path("units/", include("congdoan.units.urls")),
    path("members/", include("congdoan.members.urls")),
    path("changes/", include("congdoan.audit.urls")),
    path("programmes/", include("congdoan.plans.urls")),
    path("jobs/", include("congdoan.core.urls")),
    path("indicators/", include("congdoan.indicators.urls")),
    path("api/", include("congdoan.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
