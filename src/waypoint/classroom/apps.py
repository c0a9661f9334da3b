from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    name = "waypoint.classroom"
    verbose_name = "Classroom"
