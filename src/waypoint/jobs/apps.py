from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "waypoint.jobs"
    verbose_name = "Background jobs"
