from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "waypoint.access"
    verbose_name = "Access"
