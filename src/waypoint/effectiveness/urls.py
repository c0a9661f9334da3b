from django.urls import path

from waypoint.effectiveness import gap_views, growth_views, views

app_name = "effectiveness"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("access.csv", views.export_csv, name="export"),
    path("gaps/", gap_views.gaps, name="gaps"),
    path("gaps.csv", gap_views.gaps_csv, name="gaps-export"),
    path("growth/", growth_views.growth, name="growth"),
    path("growth.csv", growth_views.growth_csv, name="growth-export"),
]
