from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "waypoint.roster"
    verbose_name = "Roster"
