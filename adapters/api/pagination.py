"""Pages in, pages out: `?page=&page_size=` to a PageRequest, and a Page to
`{"count", "next", "previous", "results"}`."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from adapters.api.problems import QueryParameterInvalid
from adapters.api.shapes import shaped_many
from application.shared.pagination import Page, PageRequest


class PageParameters(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)

    def get_fields(self) -> dict[str, serializers.Field]:
        """`page_size` is built per use, so its maximum (which the schema shows too) is
        the setting as it is now."""
        fields = super().get_fields()
        fields["page_size"] = serializers.IntegerField(
            min_value=1,
            max_value=settings.API_MAX_PAGE_SIZE,
            required=False,
            error_messages={"max_value": "At most {max_value}."},
        )
        return fields


def read_query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Validate query parameters; a bad one is a 400 problem naming the parameter."""
    serializer = serializer_class(data=request.query_params)
    # `?to=` names a parameter and gives no value: refused, not read as left out.
    empty = {
        name: ["Give a value, or leave the parameter out."]
        for name in serializer.fields
        if request.query_params.get(name) == ""
    }
    if empty:
        raise QueryParameterInvalid(empty)
    if not serializer.is_valid():
        raise QueryParameterInvalid(serializer.errors)
    return dict(serializer.validated_data)


def page_request(params: dict[str, Any]) -> PageRequest:
    return PageRequest(params["page"], params.get("page_size") or settings.API_PAGE_SIZE)


def serialized_page(
    request: Request, page: Page[Any], serializer_class: type[serializers.Serializer]
) -> Response:
    """A page whose items one serializer shapes (`shapes.shaped_many`): one built
    per item was half the time of a page of listings."""
    return page_response(request, page, shaped_many(serializer_class, page.items))


def paginated_response(
    request: Request, page: Page[Any], to_json: Callable[[Any], Any]
) -> Response:
    """A page whose items `to_json` shapes one by one."""
    return page_response(request, page, [to_json(item) for item in page.items])


def page_response(request: Request, page: Page[Any], results: list[Any]) -> Response:
    url = request.build_absolute_uri()
    next_url = replace_query_param(url, "page", page.request.number + 1) if page.has_next else None
    previous_url = None
    if page.has_previous:
        previous_number = page.request.number - 1
        previous_url = (
            remove_query_param(url, "page")
            if previous_number == 1
            else replace_query_param(url, "page", previous_number)
        )
    return Response(
        {
            "count": page.total,
            "next": next_url,
            "previous": previous_url,
            "results": results,
        }
    )
