"""Catalogue use cases: browse published listings and their upcoming slots."""
