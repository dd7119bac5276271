"""The indicator catalogue in the API: read-only, the same for every user (it holds no unit's data)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from congdoan.indicators import catalogue
from congdoan.plans.models import TargetKind


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    kind = serializers.ChoiceField(choices=TargetKind.choices)
    semantics = serializers.ChoiceField(
        choices=[(catalogue.FLOW, _("In the period")), (catalogue.STOCK, _("At the period's end"))]
    )
    parameters = serializers.DictField(
        child=serializers.IntegerField(),
        source="values",
        help_text=_("The numbers the indicator takes from a programme's rules, with their defaults."),
    )


class IndicatorViewSet(viewsets.ViewSet):
    serializer_class = IndicatorSerializer
    lookup_field = "code"

    def list(self, request):
        return Response(IndicatorSerializer(catalogue.all_indicators(), many=True).data)

    @extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
    def retrieve(self, request, code: str):
        try:
            indicator = catalogue.get(code)
        except KeyError:
            raise Http404 from None
        return Response(IndicatorSerializer(indicator).data)


router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="indicator")

app_name = "indicators-api"
urlpatterns = router.urls
