from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "waypoint.plans"
    verbose_name = "Plans"
