"""The knowledge: threats, controls, categories, practices and crosswalks, as validated data."""

from aisec.catalog.loader import Catalog, build_catalog, default_catalog

__all__ = ["Catalog", "build_catalog", "default_catalog"]
