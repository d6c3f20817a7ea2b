import importlib.util

from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("polisen/", views.polisen_upload, name="polisen_upload"),
    path("korning/<uuid:run_uuid>/", views.run_detail, name="run"),
    path("korning/<uuid:run_uuid>/framsteg/", views.run_progress, name="run_progress"),
    path("korning/<uuid:run_uuid>/fortsatt/", views.run_resume, name="run_resume"),
    path("korning/<uuid:run_uuid>/avvisade.csv", views.rejected_csv, name="rejected_csv"),
]
# The spreadsheet wizard (views_table.py, exporting ``urlpatterns``) adds its routes when present.
if importlib.util.find_spec("trygg.imports.views_table") is not None:
    from .views_table import urlpatterns as _table_urls

    urlpatterns += _table_urls
