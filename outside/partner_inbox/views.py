import json
import re

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from standardwebhooks.webhooks import Webhook

from outside.partner_inbox.models import Endpoint, Received

SLUG = re.compile(r"[A-Za-z0-9_-]{1,50}")


@csrf_exempt
@require_POST
def receive(request: HttpRequest, slug: str) -> HttpResponse:
    endpoint = get_object_or_404(Endpoint, slug=slug)
    body = request.body.decode(errors="replace")
    headers = {key.lower(): value for key, value in request.headers.items()}
    verified, error = False, ""
    try:
        Webhook(endpoint.secret).verify(body, headers, json_parse=False)  # XML is not JSON
        verified = True
    except Exception as failure:
        error = str(failure)[:300] or type(failure).__name__
    with transaction.atomic():
        Received.objects.create(
            endpoint=endpoint,
            webhook_id=headers.get("webhook-id", "")[:100],
            content_type=headers.get("content-type", "")[:100],
            body=body,
            verified=verified,
            verification_error=error,
            answered=endpoint.respond_with,
        )
    return HttpResponse("received" if verified else "unverified", status=endpoint.respond_with)


@csrf_exempt
@require_POST
def register(request: HttpRequest) -> JsonResponse:
    """`{"slug", "secret", "respond_with"?}`: create or update an endpoint."""
    try:
        data = json.loads(request.body or b"{}")
        slug, secret = str(data["slug"]), str(data["secret"])
        respond_with = int(data.get("respond_with", 200))
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse({"error": "Send {slug, secret, respond_with?}."}, status=400)
    if (
        not SLUG.fullmatch(slug)
        or not secret.startswith("whsec_")
        or not 200 <= respond_with <= 599
    ):
        return JsonResponse(
            {"error": "slug: letters, digits, - or _; secret: whsec_…; respond_with: 200 to 599."},
            status=400,
        )
    Endpoint.objects.update_or_create(
        slug=slug, defaults={"secret": secret, "respond_with": respond_with}
    )
    return JsonResponse(
        {"slug": slug, "url": request.build_absolute_uri(f"/partner-inbox/{slug}/")}
    )


@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    received = Received.objects.select_related("endpoint")[:100]
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "received": [
                    {
                        "endpoint": item.endpoint.slug,
                        "webhook_id": item.webhook_id,
                        "content_type": item.content_type,
                        "format": item.format,
                        "verified": item.verified,
                        "verification_error": item.verification_error,
                        "answered": item.answered,
                        "body": item.body,
                    }
                    for item in received
                ]
            }
        )
    return render(request, "partner_inbox/inbox.html", {"received": received})
