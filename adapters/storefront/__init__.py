"""The storefront: server-rendered pages over the same use cases the REST API calls.

A second driving adapter beside `adapters/api`: plain Django views, forms and
templates, usable without JavaScript. Its views get their use cases from
`config/urls.py`, exactly as the API views do.
"""
