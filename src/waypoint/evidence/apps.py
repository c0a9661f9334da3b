from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "waypoint.evidence"
    verbose_name = "Evidence"
