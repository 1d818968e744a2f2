"""Partners authenticate with `Authorization: Bearer <api key>`; keys are stored hashed.

On success `request.user` is the `Partner` itself."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from before.partners.models import Partner


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Partner, None] | None:
        parts = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not parts or parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send `Authorization: Bearer <api key>`.")
        partner = Partner.objects.get_by_key(parts[1])
        if partner is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        return partner, None

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IsPartner(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, Partner)


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes partner keys."""

    target_class = PartnerKeyAuthentication
    name = "partnerKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="AUTHORIZATION", token_prefix=PartnerKeyAuthentication.keyword
        )
