from django.urls import path

from . import views, views_import

app_name = "areas"
urlpatterns = [
    path("", views.area_list, name="list"),
    path("omraden.geojson", views.area_geojson, name="geojson"),
    path("importera/", views_import.import_upload, name="import"),
    path("importera/korning/<uuid:run_uuid>/", views_import.import_run, name="import_run"),
    path("importera/korning/<uuid:run_uuid>/framsteg/", views_import.import_run_progress,
         name="import_run_progress"),
    path("importera/<str:token>/", views_import.import_settings, name="import_settings"),
    path("importera/<str:token>/provkorning/", views_import.import_dry_run, name="import_dry_run"),
    path("importera/<str:token>/spara/", views_import.import_commit, name="import_commit"),
    path("importera/<str:token>/avbryt/", views_import.import_cancel, name="import_cancel"),
]
