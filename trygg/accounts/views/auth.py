"""Login, logout, password reset and change — with a per-IP rate limit on the forms."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from ..middleware import two_factor_pending
from ..ratelimit import rate_limited


@method_decorator(rate_limited("login"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        user = self.request.user
        if two_factor_pending(user):
            from django_otp import devices_for_user

            has_device = any(True for _d in devices_for_user(user, confirmed=True))
            step = reverse("accounts:otp_verify" if has_device else "accounts:otp_setup")
            return f"{step}?{urlencode({'next': url})}"
        return url


login_view = LoginView.as_view()
logout_view = auth_views.LogoutView.as_view()

class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Links are built on TRYGG_BASE_URL, never on the request's Host header.
        self.extra_email_context = {"base_url": settings.BASE_URL}
        return super().form_valid(form)


password_reset = rate_limited("password-reset")(PasswordResetView.as_view())
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        from axes.utils import reset as axes_reset

        from .. import audit

        response = super().form_valid(form)
        # Proving control of the mailbox lifts a lockout: the lockout page promises as much.
        axes_reset(username=self.user.get_username())
        audit.record("update", self.user, actor=self.user, object_type="accounts.user",
                     detail={"password": "reset by e-mail link"})
        return response


password_reset_confirm = never_cache(PasswordResetConfirmView.as_view())
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
