"""OpenAPI helpers, so the schema shows what the views really return."""

from functools import cache
from typing import Any

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class FieldErrorSerializer(serializers.Serializer):
    pointer = serializers.CharField(
        required=False, help_text="JSON pointer into the body, e.g. #/lines/0/seats."
    )
    parameter = serializers.CharField(required=False, help_text="The query parameter at fault.")
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details (application/problem+json)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldErrorSerializer(many=True, required=False)


PROBLEM = ProblemSerializer
REFUSED = OpenApiResponse(
    PROBLEM, description="The payment provider refused the request; nothing changed, no retry."
)


@cache  # one component per item type, however many views list it
def paginated(serializer: type[serializers.Serializer]) -> Any:
    """The OpenAPI shape of a page of `serializer` items."""
    return inline_serializer(
        name=f"Paginated{serializer.__name__.removesuffix('Serializer')}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )
