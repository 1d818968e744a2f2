"""The storefront's sign-in and sign-out: Django's own auth views in the storefront's
look. They need no use case; the shop's pages get theirs in `config/urls.py`."""

from django.contrib.auth import views as auth
from django.forms import Form
from django.http import HttpResponse
from django.urls import path

from adapters.platform import sign_in_attempts
from adapters.storefront.forms import TOO_MANY, EmailAuthenticationForm


class LoginView(auth.LoginView):
    """Django's, answering 429 with `Retry-After` when the form refuses a sign-in for
    too many failures."""

    def form_invalid(self, form: Form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", TOO_MANY):
            response.status_code = 429
            response["Retry-After"] = str(sign_in_attempts.WINDOW_SECONDS)
        return response


urlpatterns = [
    path(
        "login/",
        LoginView.as_view(
            template_name="storefront/login.html",
            authentication_form=EmailAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
]
