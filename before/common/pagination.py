"""Pages of `{"count", "next", "previous", "results"}` with `?page=` and `?page_size=`.

Unlike DRF's PageNumberPagination, a bad `page` or a `page_size` over the cap is a
400 naming the parameter, and a page past the end is empty rather than a 404.
"""

from django.conf import settings
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from before.common.exceptions import QueryParameterInvalid


class PageParameters(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    page_size = serializers.IntegerField(min_value=1, required=False)

    def validate_page_size(self, value: int) -> int:
        if value > settings.API_MAX_PAGE_SIZE:
            raise serializers.ValidationError(f"At most {settings.API_MAX_PAGE_SIZE}.")
        return value


def read_query(serializer_class: type[serializers.Serializer], request) -> dict:
    """Validated query parameters, or a 400 problem naming each bad one."""
    blank = {
        name: ["Give a value, or leave the parameter out."]
        for name in serializer_class().get_fields()
        if request.query_params.get(name) == ""
    }
    if blank:  # `?to=` is a mistake, not "no limit"
        raise QueryParameterInvalid(blank)
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise QueryParameterInvalid(serializer.errors)
    return dict(serializer.validated_data)


class PagePagination(PageNumberPagination):
    page_size_query_param = "page_size"

    def get_schema_operation_parameters(self, view):
        """page and page_size with the bounds the server enforces."""
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "A page number, from 1.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": "Items per page.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": settings.API_MAX_PAGE_SIZE,
                },
            },
        ]

    def paginate_queryset(self, queryset, request, view=None):
        # A view that reads more query parameters (a slot window) validates the page
        # ones with them and leaves the result in `view.query`.
        params = getattr(view, "query", None) or read_query(PageParameters, request)
        self.request = request
        self.number = params["page"]
        self.size = params.get("page_size") or settings.API_PAGE_SIZE
        self.count = queryset.count()
        offset = (self.number - 1) * self.size
        self.items = list(queryset[offset : offset + self.size])
        return self.items

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self) -> str | None:
        if (self.number - 1) * self.size + len(self.items) >= self.count:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "page", self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, "page")
        return replace_query_param(url, "page", self.number - 1)
