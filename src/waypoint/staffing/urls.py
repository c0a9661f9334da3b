from django.urls import path

from waypoint.staffing import views

app_name = "staffing"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("scenarios/<str:scenario_id>/", views.detail, name="detail"),
    path("compare/", views.compare, name="compare"),
    path("scenarios.csv", views.export_csv, name="export"),
    path("funding/", views.funding_page, name="funding"),
    path("schools/<str:school_id>/", views.school_staffing, name="school"),
    path("positions/<str:position_id>/", views.edit_position, name="position"),
]
