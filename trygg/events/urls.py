from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("rapportera/", views.report, name="report"),
    path("rapportera/kontroll/", views.report_check, name="report_check"),
    path("rapport/<uuid:report_uuid>/", views.report_done, name="report_done"),
    path("", views.event_list, name="list"),
    path("export.<str:fmt>", views.export, name="export"),
    path("karta/", views.event_map, name="map"),
    path("<uuid:event_uuid>/", views.detail, name="detail"),
]
