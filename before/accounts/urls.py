from django.urls import path

from before.accounts import views

urlpatterns = [
    path("register/", views.RegisterView.as_view()),
    path("token/", views.TokenView.as_view()),
]
