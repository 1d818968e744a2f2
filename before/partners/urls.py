"""The partner API, mounted by `before/urls.py` at `api/v1/partners/`:

- `subscriptions/`, `subscriptions/<id>/` (GET, POST, PATCH, DELETE)
- `subscriptions/<id>/rotate-secret/`, `subscriptions/<id>/test/`, `subscriptions/<id>/deliveries/`
- `deliveries/`, `deliveries/<id>/redeliver/`
"""

from rest_framework.routers import SimpleRouter

from before.partners import views

router = SimpleRouter(use_regex_path=False)
router.register("subscriptions", views.SubscriptionViewSet, basename="partner-subscription")
router.register("deliveries", views.DeliveryViewSet, basename="partner-delivery")

urlpatterns = router.urls
