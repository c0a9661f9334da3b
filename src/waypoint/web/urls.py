from django.urls import path

from waypoint.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("learners/", views.learner_list, name="learner-list"),
    path("learners/export.csv", views.learner_export, name="learner-export"),
    path("learners/<str:learner_id>/", views.learner_detail, name="learner-detail"),
    path("sections/<str:section_id>/", views.section_detail, name="section-detail"),
    path("ratings/<str:rating_id>/", views.rating_detail, name="rating-detail"),
    path("healthz", views.healthz, name="healthz"),
]
