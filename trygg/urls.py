from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from trygg.api import api
from trygg.core import views as core_views

urlpatterns = [
    path("", include("trygg.core.urls")),
    path("konto/", include("trygg.accounts.urls")),
    path("handelser/", include("trygg.events.urls")),
    path("omraden/", include("trygg.areas.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
]
for optional_app, prefix in (("imports", "import/"), ("analysis_db", "analys/"), ("situation", "lagesbild/"),
                             ("interventions", "insatser/"), ("walks", "vandringar/"), ("promises", "loften/")):
    if f"trygg.{optional_app}" in settings.INSTALLED_APPS:
        urlpatterns.append(path(prefix, include(f"trygg.{optional_app}.urls")))
