"""The business of Portside in plain Python: entities, value objects, events and errors.

Nothing here imports Django, DRF or any layer above; import-linter enforces it.
"""
