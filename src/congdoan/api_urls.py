"""Everything under /api/: one router per app, the OpenAPI schema and its docs page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("congdoan.accounts.api.urls")),
    path("", include("congdoan.units.api.urls")),
    path("", include("congdoan.audit.api.urls")),
    path("", include("congdoan.members.api.urls")),
    path("", include("congdoan.plans.api.urls")),
    path("", include("congdoan.indicators.api")),
    path("", include("congdoan.core.jobs_api")),
]
