from django.urls import path

from outside.partner_inbox import views

urlpatterns = [
    path("", views.inbox, name="partner-inbox"),
    path("endpoints/", views.register),
    path("<slug:slug>/", views.receive),
]
