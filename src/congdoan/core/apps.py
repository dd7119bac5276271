from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "congdoan.core"
    label = "core"
    verbose_name = "congdoan"

    def ready(self) -> None:
        from congdoan.core import db  # noqa: F401  (connects the SQLite set-up signal)
