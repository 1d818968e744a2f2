"""`POST /api/v1/auth/register/` and `POST /api/v1/auth/token/`."""

from rest_framework import generics
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from before.accounts.serializers import RegisterSerializer


class RegisterView(generics.CreateAPIView):
    authentication_classes = []
    serializer_class = RegisterSerializer


class TokenView(ObtainAuthToken):
    """`{"username", "password"}` to `{"token"}`; usernames are matched lower-cased."""

    authentication_classes = []

    def post(self, request, *args, **kwargs):
        data = dict(request.data.items()) if hasattr(request.data, "items") else {}
        if isinstance(data.get("username"), str):
            data["username"] = data["username"].strip().lower()
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
