from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("rapportera/", views.report, name="report"),
    path("", views.event_list, name="list"),
    path("karta/", views.event_map, name="map"),
    path("<uuid:event_uuid>/", views.detail, name="detail"),
]
