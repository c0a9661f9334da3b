from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "waypoint.interop"
    verbose_name = "Data exchange"
