from django.urls import path

from waypoint.effectiveness import views

app_name = "effectiveness"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("access.csv", views.export_csv, name="export"),
]
