from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "congdoan.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self):
        post_migrate.connect(_ensure_name_index, sender=self)
        from congdoan.members import services  # noqa: F401  (registers its daily job)


def _ensure_name_index(*, using: str, **kwargs) -> None:
    from congdoan.members import name_index

    name_index.ensure(using)
