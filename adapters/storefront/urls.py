"""The storefront's sign-in and sign-out: Django's own auth views in the storefront's
look. They need no use case; the shop's pages get theirs in `config/urls.py`."""

from django.contrib.auth import views as auth
from django.urls import path

from adapters.storefront.forms import EmailAuthenticationForm

urlpatterns = [
    path(
        "login/",
        auth.LoginView.as_view(
            template_name="storefront/login.html",
            authentication_form=EmailAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
]
