from django.urls import path

from .views import account, auditlog, auth, otp

app_name = "accounts"
urlpatterns = [
    path("logga-in/", auth.login_view, name="login"),
    path("logga-ut/", auth.logout_view, name="logout"),
    path("tvastegs/", otp.otp_verify, name="otp_verify"),
    path("tvastegs/aktivera/", otp.otp_setup, name="otp_setup"),
    path("", account.profile, name="profile"),
    path("nycklar/ny/", account.token_create, name="token_create"),
    path("nycklar/<uuid:token_uuid>/aterkalla/", account.token_revoke, name="token_revoke"),
    path("byt-losenord/", auth.password_change, name="password_change"),
    path("byt-losenord/klart/", auth.password_change_done, name="password_change_done"),
    path("granskningslogg/", auditlog.audit_log, name="audit_log"),
    path("granskningslogg/export.csv", auditlog.audit_export, name="audit_export"),
    path("losenord/aterstall/", auth.password_reset, name="password_reset"),
    path("losenord/aterstall/skickat/", auth.password_reset_done, name="password_reset_done"),
    path("losenord/aterstall/<uidb64>/<token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    path("losenord/aterstall/klart/", auth.password_reset_complete, name="password_reset_complete"),
]
