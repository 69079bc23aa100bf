"""Web harvesting: JSON-LD / microdata objects of HTML pages (no mapping here)."""

from harvesters.web.extract import (
    PAGE_TYPES,
    RESOURCE_TYPES,
    ExtractedObject,
    ExtractResult,
    Problem,
    extract_jsonld,
    flatten,
    is_resource,
    item_identifier,
    resolve_references,
)

__all__ = [
    "PAGE_TYPES",
    "RESOURCE_TYPES",
    "ExtractResult",
    "ExtractedObject",
    "Problem",
    "extract_jsonld",
    "flatten",
    "is_resource",
    "item_identifier",
    "resolve_references",
]
