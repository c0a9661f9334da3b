from django.contrib.auth import views as auth_views
from django.urls import include, path

from waypoint.api import api
from waypoint.web.admin import admin_site

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
    path("standards/", include("waypoint.standards.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jobs/", include("waypoint.jobs.urls")),
    path("classroom/", include("waypoint.classroom.urls")),
    path("data/", include("waypoint.interop.urls")),
    path("plans/", include("waypoint.plans.urls")),
    path("effectiveness/", include("waypoint.effectiveness.urls")),
    path("staffing/", include("waypoint.staffing.urls")),
    path("", include("waypoint.web.urls")),
]
