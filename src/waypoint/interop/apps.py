from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "waypoint.interop"
    verbose_name = "Data exchange"

    def ready(self) -> None:
        from waypoint.interop.oneroster import jobs  # noqa: F401 — registers the job kind
