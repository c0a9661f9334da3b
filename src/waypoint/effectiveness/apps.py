from django.apps import AppConfig


class EffectivenessConfig(AppConfig):
    name = "waypoint.effectiveness"
    verbose_name = "Educator effectiveness"
