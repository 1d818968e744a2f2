"""Wiring fills `Provide["name"]` only in the modules config/apps.py lists: a module
left out would get the marker itself instead of a use case, and a misspelt name would
resolve to nothing. These tests catch both before a request does."""

import importlib
import inspect
import pkgutil
import re

import adapters
from config.apps import WIRED_MODULES
from config.container import container

PROVIDE = re.compile(r'Provide\["(\w+)"\]')


def modules_that_provide() -> dict[str, set[str]]:
    """Every adapters module whose source asks for a provider, with the names it asks for."""
    found = {}
    for info in pkgutil.walk_packages(adapters.__path__, "adapters."):
        if ".migrations" in info.name:
            continue
        source = inspect.getsource(importlib.import_module(info.name))
        names = set(PROVIDE.findall(source))
        if names:
            found[info.name] = names
    return found


def test_every_module_that_asks_for_a_use_case_is_wired() -> None:
    assert set(modules_that_provide()) == set(WIRED_MODULES)


def test_every_name_asked_for_is_a_provider_of_the_container() -> None:
    asked = set().union(*modules_that_provide().values())
    assert asked  # the scan found the adapters
    assert asked - set(container.providers) == set()
