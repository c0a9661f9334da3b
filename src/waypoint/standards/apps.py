from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "waypoint.standards"
    verbose_name = "Standards"
