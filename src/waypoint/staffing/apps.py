from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "waypoint.staffing"
    label = "staffing"
    verbose_name = "Staffing and budget"
    default_auto_field = "django.db.models.BigAutoField"
