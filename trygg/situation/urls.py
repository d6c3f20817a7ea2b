from django.urls import path

from . import views, views_annual, views_versions

app_name = "situation"

urlpatterns = [
    path("", views.index, name="index"),
    path("historik/", views_versions.history, name="history"),
    path("installningar/", views_versions.settings_view, name="settings"),
    path("arsrapport/", views_annual.annual, name="annual"),
    path("arsrapport/pdf/", views_annual.annual, {"fmt": "pdf"}, name="annual_pdf"),
    path("atgardsplan/", views_annual.plans, name="plans"),
    path("atgardsplan/<int:pk>/", views_annual.plan, name="plan"),
    path("atgardsplan/<int:pk>/pdf/", views_annual.plan, {"fmt": "pdf"}, name="plan_pdf"),
    path("<str:week>/", views.week, name="week"),
    path("<str:week>/berakna/", views.redraft, name="redraft"),
    path("<str:week>/utskrift/", views.draft_print, name="draft_print"),
    path("<str:week>/pdf/", views.draft_print, {"fmt": "pdf"}, name="draft_pdf"),
    path("<str:week>/bedomning/<int:pk>/", views.assessment_save, name="assessment"),
    path("<str:week>/fokus/", views.priorities, name="priorities"),
    path("<str:week>/beslut/", views.decision_add, name="decision_add"),
    path("<str:week>/beslut/<int:pk>/", views.decision_edit, name="decision_edit"),
    path("<str:week>/publicera/", views.publish_view, name="publish"),
    path("<str:week>/v<int:number>/", views_versions.version, name="version"),
    path("<str:week>/v<int:number>/<str:variant>/", views_versions.version, name="version_variant"),
    path("<str:week>/v<int:number>/<str:variant>/utskrift/", views_versions.version_print, name="version_print"),
    path("<str:week>/v<int:number>/<str:variant>/pdf/", views_versions.version_pdf, name="version_pdf"),
]
