from django.urls import path

from waypoint.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.framework_list, name="framework-list"),
    path("<str:framework_id>/", views.framework_detail, name="framework"),
    path("items/<str:item_id>/", views.item_detail, name="item"),
    path(
        "items/<str:item_id>/neighbourhood.svg",
        views.item_neighbourhood_svg,
        name="item-neighbourhood",
    ),
]
