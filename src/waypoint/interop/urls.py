from django.urls import path

from waypoint.interop import views

urlpatterns = [
    path("rosters/upload/", views.roster_upload, name="roster-upload"),
]
