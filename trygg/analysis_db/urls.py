from django.urls import path

from . import views

app_name = "analysis_db"

urlpatterns = [
    path("", views.index, name="index"),
]
