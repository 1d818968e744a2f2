"""Output serializers, built once per process and reused for every response.

DRF deep-copies a serializer's declared fields, nested serializers included, each time
one is built: for one small object that copy costs more than the shaping itself. An
output serializer holds no per-response state (`to_representation` only reads its
fields), so one instance per class can shape every response, from every thread.
Serializers that validate input keep being built per request: they hold the data.
"""

from functools import cache
from typing import Any

from rest_framework import serializers


@cache
def _shaper(
    serializer_class: type[serializers.Serializer], many: bool
) -> serializers.BaseSerializer:
    return serializer_class(many=many)


def shaped(serializer_class: type[serializers.Serializer], instance: Any) -> Any:
    """`instance` in the JSON shape `serializer_class` declares."""
    return _shaper(serializer_class, False).to_representation(instance)


def shaped_many(serializer_class: type[serializers.Serializer], instances: list[Any]) -> list[Any]:
    """Each of `instances` in the JSON shape `serializer_class` declares."""
    return list(_shaper(serializer_class, True).to_representation(instances))
