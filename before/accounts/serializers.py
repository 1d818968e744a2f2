"""Registration: a customer is a Django user whose username is their email, lower-cased."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework.authtoken.models import Token

TAKEN = "An account with this email exists already."


class PasswordField(serializers.CharField):
    """A password as sent: a JSON string (CharField would take a number as its digits,
    which the schema refuses), not trimmed (signing in does not trim it either)."""

    def __init__(self, **kwargs):
        super().__init__(trim_whitespace=False, style={"input_type": "password"}, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=150)
    password = PasswordField(write_only=True)
    token = serializers.CharField(read_only=True)

    def validate_email(self, email):
        email = email.strip().lower()
        if get_user_model().objects.filter(username=email).exists():
            raise serializers.ValidationError(TAKEN)
        return email

    def validate(self, attrs):
        candidate = get_user_model()(username=attrs["email"], email=attrs["email"])
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from error
        return attrs

    def create(self, validated_data):
        email = validated_data["email"]
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=email, email=email, password=validated_data["password"]
                )
        except IntegrityError:  # the same email registered concurrently
            raise serializers.ValidationError({"email": [TAKEN]}) from None
        return {"email": email, "token": Token.objects.create(user=user).key}
