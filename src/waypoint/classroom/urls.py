from django.urls import path

from waypoint.classroom import views

app_name = "classroom"

urlpatterns = [
    path("", views.team, name="team"),
    path("sections/<str:section_id>/", views.section_dashboard, name="section"),
    path("sections/<str:section_id>/groups/suggest/", views.suggest_groups, name="suggest"),
    path("sections/<str:section_id>/groups/save/", views.save_groups, name="save-groups"),
    path(
        "sections/<str:section_id>/interventions/",
        views.record_intervention,
        name="record-intervention",
    ),
    path("cells/<str:learner_id>/<str:item_id>/", views.cell_evidence, name="cell"),
    path("schools/<str:school_id>/", views.school, name="school"),
]
