from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "congdoan.audit"
    label = "audit"
    verbose_name = _("Change log")

    def ready(self) -> None:
        from congdoan.audit import signals  # noqa: F401
