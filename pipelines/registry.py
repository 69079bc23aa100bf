"""The source registry: `pipelines/sources.toml` read into typed entries."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from transforms.detection import DETECTORS
from transforms.languages import normalise_language

REGISTRY_PATH = Path(__file__).with_name("sources.toml")
KINDS = ("oai-pmh", "sitemap")


class UnknownSource(LookupError):
    def __init__(self, name: str, known: list[str]):
        super().__init__(f"unknown source {name!r} (known: {', '.join(known)})")


class RegistryError(ValueError):
    """sources.toml has an entry that cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    kind: str
    endpoint: str
    metadata_prefix: str = "auto"  # or a prefix; see pipelines/formats.py
    sets: tuple[str, ...] = ()
    schedule: str | None = None
    enabled: bool = True
    defaults: dict = field(default_factory=dict)
    notes: str = ""

    @property
    def host(self) -> str:
        """The host its requests go to (lowercase, no port): harvest-all never runs two
        sources of one host at once. A bundled server (`embedded:demo`) is its own host."""
        parts = urlsplit(self.endpoint)
        return (parts.hostname or self.endpoint).lower()

    def as_row(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "endpoint": self.endpoint,
            "metadata_prefix": self.metadata_prefix,
            "sets": list(self.sets),
            "schedule": self.schedule,
            "enabled": self.enabled,
            "defaults": self.defaults,
            "notes": self.notes,
        }


def load_sources(path: Path = REGISTRY_PATH) -> dict[str, Source]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    sources = {}
    for name, entry in data.get("sources", {}).items():
        unknown = set(entry) - set(Source.__slots__)
        if unknown:
            raise RegistryError(f"{path}: source {name!r} has unknown keys {sorted(unknown)}")
        if entry.get("kind") not in KINDS:
            raise RegistryError(f"{path}: source {name!r} has kind {entry.get('kind')!r}")
        if not entry.get("endpoint"):
            raise RegistryError(f"{path}: source {name!r} has no endpoint")
        _check_defaults(path, name, entry.get("defaults", {}))
        sources[name] = Source(name=name, **{**entry, "sets": tuple(entry.get("sets", ()))})
    return sources


def _check_defaults(path: Path, name: str, defaults: dict) -> None:
    language = defaults.get("language")
    if language is not None and len(normalise_language(str(language)).languages) != 1:
        raise RegistryError(
            f"{path}: source {name!r} has defaults.language {language!r}, not one language"
        )
    detector = defaults.get("language_detector")
    if detector is not None and detector not in DETECTORS:
        raise RegistryError(
            f"{path}: source {name!r} has defaults.language_detector {detector!r} "
            f"(known: {', '.join(DETECTORS)})"
        )


def get_source(name: str, path: Path = REGISTRY_PATH) -> Source:
    sources = load_sources(path)
    if name not in sources:
        raise UnknownSource(name, sorted(sources))
    return sources[name]


def adhoc_source(url: str, metadata_prefix: str, sets: tuple[str, ...] = ()) -> Source:
    """A source for `oer harvest --url`: named after the endpoint's host and path."""
    return Source(
        name=f"url:{_host_path(url)}",
        kind="oai-pmh",
        endpoint=url,
        metadata_prefix=metadata_prefix,
        sets=sets,
    )


def adhoc_sitemap_source(url: str) -> Source:
    """A source for `oer harvest --sitemap`: pages listed by that sitemap, read as JSON-LD."""
    return Source(
        name=f"sitemap:{_host_path(url)}", kind="sitemap", endpoint=url, metadata_prefix="jsonld"
    )


def _host_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc or 'local'}{parts.path}".rstrip("/")
