from django.urls import path

from outside.payment_sandbox import views

urlpatterns = [
    path("api/payments/", views.create_payment),
    path("api/payments/<str:payment_id>/", views.read_payment),
    path("api/payments/<str:payment_id>/pay/", views.pay_api),
    path("api/payments/<str:payment_id>/resend/", views.resend_events),
    path("api/refunds/", views.create_refund),
    path("pay/<str:payment_id>/", views.pay_page, name="sandbox-pay"),
]
