from django.urls import path

from before.catalog import views

urlpatterns = [
    path("", views.ListingListView.as_view()),
    path("<uuid:listing_id>/", views.ListingDetailView.as_view()),
    path("<uuid:listing_id>/slots/", views.SlotListView.as_view()),
]
