from django.apps import AppConfig


class EffectivenessConfig(AppConfig):
    name = "waypoint.effectiveness"
    verbose_name = "Educator effectiveness"

    def ready(self) -> None:
        from waypoint.effectiveness import jobs  # noqa: F401 — registers the growth job kind
