from django.apps import AppConfig


class MasteryConfig(AppConfig):
    name = "waypoint.mastery"
    verbose_name = "Mastery"
