from django.urls import path

from waypoint.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.start, name="start"),
    path("language/", views.language, name="language"),
    path("reviews/", views.reviews, name="reviews"),
    path("ownership/", views.ownership, name="ownership"),
    path("growth/<str:staff_id>/", views.growth, name="growth"),
    path("<str:learner_id>/", views.plan, name="plan"),
    path("<str:learner_id>/profile/", views.profile_edit, name="profile"),
    path("<str:learner_id>/goals/new/", views.goal_edit, name="goal-new"),
    path("<str:learner_id>/goals/<str:goal_id>/", views.goal_edit, name="goal"),
    path("<str:learner_id>/reflections/", views.reflection_add, name="reflection-add"),
    path("<str:learner_id>/comments/", views.comment_add, name="comment-add"),
    path("<str:learner_id>/leadership/", views.leadership_set, name="leadership"),
    path("<str:learner_id>/peer/", views.peer_plan, name="peer"),
    path("<str:learner_id>/peers/", views.peers, name="peers"),
    path("<str:learner_id>/peers/<str:grant_id>/revoke/", views.peer_revoke, name="peer-revoke"),
    path("<str:learner_id>/path/", views.path, name="path"),
    path("<str:learner_id>/portfolio/", views.portfolio, name="portfolio"),
    path("<str:learner_id>/portfolio.zip", views.portfolio_zip, name="portfolio-zip"),
    path("<str:learner_id>/portfolio/<str:artifact_id>/", views.artifact, name="artifact"),
    path(
        "<str:learner_id>/portfolio/<str:artifact_id>/file",
        views.artifact_file,
        name="artifact-file",
    ),
    path("<str:learner_id>/family/", views.family, name="family"),
    path("<str:learner_id>/records.json", views.records, name="records"),
    path("<str:learner_id>/report.pdf", views.report_pdf, name="report"),
]
