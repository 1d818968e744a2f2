"""Composition root: settings, URLs, WSGI/ASGI and the dependency-injector container.

This is the only package that knows every adapter; it wires them to the use cases.
"""
