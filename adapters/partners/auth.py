"""Partners authenticate with `Authorization: Bearer <api key>`; keys are stored hashed."""

import hashlib
import secrets
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from adapters.partners.models import Partner

KEY_PREFIX = "pk_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def new_partner(name: str) -> tuple[Partner, str]:
    """Create a partner; the API key is returned here and never again."""
    key = new_api_key()
    partner = Partner.objects.create(name=name, api_key_hash=hash_key(key), api_key_prefix=key[:10])
    return partner, key


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Partner] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send `Authorization: Bearer <api key>`.")
        partner = Partner.objects.filter(api_key_hash=hash_key(header[1]), is_active=True).first()
        if partner is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        return PartnerPrincipal(partner), partner

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class PartnerPrincipal:
    """`request.user` for a partner: authenticated, never staff."""

    is_authenticated = True
    is_staff = False

    def __init__(self, partner: Partner) -> None:
        self.partner = partner
        self.pk = partner.pk


class PartnerKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[misc]
    """How the OpenAPI schema describes partner keys."""

    target_class = PartnerKeyAuthentication
    name = "partnerKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A partner's API key."}
