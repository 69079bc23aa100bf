"""Which metadata format to harvest from a repository.

A source's `metadata_prefix` in sources.toml is either a prefix (used as is) or "auto"
(the default): ListMetadataFormats is asked, each offered format is matched to a crosswalk
by its namespace (by its prefix when the namespace is unknown), and the richest one wins by
`FORMAT_PREFERENCE`. oai_dc is the floor: every OAI-PMH repository must offer it.

Richest first, because that is where the educational metadata is:
  lom       IEEE LOM / LOM-ES: educational level, end-user role, learning resource type,
            typical age, learning time, interactivity — everything the portal filters on
  openaire  OpenAIRE v4: DataCite core + licence conditions, access rights, files, funders
  datacite  creators with ORCID/ROR, typed relations, funding, rights URIs, subjects schemes
  mods      typed titles/names/dates, target audience, genre, access conditions, locations
  marcxml   as detailed, but library-catalogue semantics (fewer educational fields)
  qdc       DCMI terms: educationLevel, audience, license, isPartOf…
  oai_dc    15 elements, no educational fields
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harvesters.oai import HarvestError, MetadataFormat, OAIClient
from transforms.crosswalks import CROSSWALKS, supported_namespace

AUTO = "auto"
FLOOR = "oai_dc"
FORMAT_PREFERENCE = ("lom", "openaire", "datacite", "mods", "marcxml", "qdc", "oai_dc")
_BY_PREFIX = {p.lower(): cw.name for cw in CROSSWALKS.values() for p in cw.prefixes}


@dataclass
class FormatChoice:
    prefix: str
    reason: str
    issues: list[dict] = field(default_factory=list)  # run issues to record (code, severity…)


def crosswalk_of(fmt: MetadataFormat) -> str | None:
    """Crosswalk for an offered format: by namespace, else by a conventional prefix."""
    if fmt.namespace and (name := supported_namespace(fmt.namespace.strip())):
        return name
    return _BY_PREFIX.get(fmt.prefix.lower())


def ranked(formats: list[MetadataFormat]) -> list[tuple[str, str]]:
    """(crosswalk, prefix) of every offered format we can map, richest first."""
    found = [(cw, f.prefix) for f in formats if (cw := crosswalk_of(f)) in FORMAT_PREFERENCE]
    return sorted(found, key=lambda pair: FORMAT_PREFERENCE.index(pair[0]))


def choose_format(
    configured: str, client: OAIClient, previous_prefix: str | None = None
) -> FormatChoice:
    """The prefix to harvest: `configured` unless it is "auto"; see the module docstring.

    When ListMetadataFormats fails or offers nothing we map, the previous run's prefix is
    kept (a repository that hiccups must not switch formats), else oai_dc; both with a
    `format_fallback` issue.
    """
    if configured != AUTO:
        return FormatChoice(configured, "configured in sources.toml or on the command line")
    try:
        formats = client.list_metadata_formats()
    except HarvestError as exc:
        return _fallback(previous_prefix, f"ListMetadataFormats failed: {exc}")
    offered = ", ".join(f.prefix for f in formats) or "none"
    best = ranked(formats)
    if not best:
        return _fallback(
            previous_prefix, f"ListMetadataFormats offers no format we map ({offered})"
        )
    crosswalk, prefix = best[0]
    return FormatChoice(prefix, f"richest mapped format ({crosswalk}) of those offered: {offered}")


def _fallback(previous_prefix: str | None, why: str) -> FormatChoice:
    prefix = previous_prefix or FLOOR
    kept = "kept the previous run's" if previous_prefix else "harvesting the mandatory"
    message = f"{why}; {kept} {prefix}"
    issue = {"code": "format_fallback", "severity": "warning", "message": message}
    return FormatChoice(prefix, message, [issue])
