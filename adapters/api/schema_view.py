"""`/api/schema/`: drf-spectacular's view, one generation at a time per process.

Generating the document is not thread-safe in drf-spectacular (its extension classes
resolve their targets lazily, in place, on first use): two first requests on gunicorn's
threads at once can fail with a 500. A lock makes them take turns; the document takes a
fraction of a second and is asked for rarely."""

import threading
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.views import SpectacularAPIView

_GENERATING = threading.Lock()


class SchemaView(SpectacularAPIView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with _GENERATING:
            return super().dispatch(request, *args, **kwargs)
