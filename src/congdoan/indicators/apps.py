from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "congdoan.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self):
        from congdoan.indicators import catalogue, signals  # noqa: F401  (receivers connect on import)
        from congdoan.plans import indicators_registry

        for indicator in catalogue.all_indicators():
            indicators_registry.register(
                indicators_registry.IndicatorInfo(
                    code=indicator.code, kind=indicator.kind, name=indicator.name
                )
            )
