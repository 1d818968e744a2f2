from django.urls import path

from before.bookings import views

urlpatterns = [
    path("", views.BookingListView.as_view()),
    path("<str:reference>/", views.BookingDetailView.as_view()),
    path("<str:reference>/cancel/", views.BookingCancelView.as_view()),
]
