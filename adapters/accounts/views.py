"""`POST /api/v1/auth/register/` and `POST /api/v1/auth/token/`.

Accounts are plain Django users (the email is the username); no domain rule lives
here, so there is no use case to call: Django's auth is the adapter.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from adapters.api.fields import StringField
from adapters.api.schema import PROBLEM
from adapters.platform import sign_in_attempts


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=150)
    # Django's validators decide (settings.AUTH_PASSWORD_VALIDATORS); the length is
    # stated here too so the schema shows it.
    password = StringField(
        write_only=True,
        min_length=8,
        style={"input_type": "password"},
        error_messages={
            "min_length": "This password is too short. It must contain at least 8 characters."
        },
    )

    def validate_email(self, email: str) -> str:
        email = email.strip().lower()
        if get_user_model().objects.filter(username=email).exists():
            raise serializers.ValidationError("An account with this email exists already.")
        return email

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = get_user_model()(username=attrs["email"], email=attrs["email"])
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from error
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class RegisteredSerializer(TokenSerializer):
    email = serializers.EmailField()


class RegisterView(APIView):
    authentication_classes: list[type] = []

    @extend_schema(
        request=RegisterSerializer,
        responses={201: RegisteredSerializer, 400: PROBLEM},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        payload = RegisterSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        email, password = payload.validated_data["email"], payload.validated_data["password"]
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=email, email=email, password=password
                )
        except IntegrityError:  # the same email registered concurrently
            raise serializers.ValidationError(
                {"email": ["An account with this email exists already."]}
            ) from None
        token = Token.objects.create(user=user)
        return Response({"email": email, "token": token.key}, status=status.HTTP_201_CREATED)


class TokenView(ObtainAuthToken):
    """Exchange `{"username", "password"}` (the username is the email) for `{"token"}`."""

    authentication_classes: list[type] = []
    # As everywhere: JSON only, and rate-limited (DRF's own takes forms and has no throttle,
    # which would leave password guessing unlimited).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES

    @extend_schema(responses={200: TokenSerializer, 400: PROBLEM, 429: PROBLEM}, tags=["auth"])
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _with_lowercase_username(request.data)
        # Failed sign-ins count as on the storefront's form (sign_in_attempts).
        email = data["username"] if isinstance(data.get("username"), str) else None
        address = sign_in_attempts.client_address(request)
        serializer = self.get_serializer(data=data)
        try:
            sign_in_attempts.attempt(
                email,
                address,
                lambda: serializer.is_valid(raise_exception=True),
                exceptions.ValidationError,
            )
        except sign_in_attempts.TooManyFailures:
            raise exceptions.Throttled(
                wait=sign_in_attempts.WINDOW_SECONDS, detail="Too many failed sign-ins."
            ) from None
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


def _with_lowercase_username(data: Any) -> dict[str, Any]:
    """Emails are stored lower-cased at registration; match them the same way."""
    cleaned = dict(data.items()) if hasattr(data, "items") else {}
    if isinstance(cleaned.get("username"), str):
        cleaned["username"] = cleaned["username"].strip().lower()
    return cleaned
