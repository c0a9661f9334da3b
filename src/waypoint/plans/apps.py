from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "waypoint.plans"
    verbose_name = "Plans"

    def ready(self) -> None:
        from waypoint.plans import signals  # noqa: F401 — connects the login receiver
