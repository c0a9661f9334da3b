from django.urls import path

from waypoint.jobs import views

urlpatterns = [
    path("", views.job_index, name="job-list"),
    path("<str:job_id>/", views.job_detail, name="job-detail"),
    path("<str:job_id>/status.json", views.job_status, name="job-status"),
]
