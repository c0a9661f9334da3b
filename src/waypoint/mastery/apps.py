from django.apps import AppConfig


class MasteryConfig(AppConfig):
    name = "waypoint.mastery"
    verbose_name = "Mastery"

    def ready(self) -> None:
        from waypoint.mastery import jobs  # noqa: F401 — registers the refit job kind
