"""Onboarding probe: what an OAI-PMH endpoint really does, in a dozen requests.

``probe(url)`` reads Identify, the formats, the sets, a sample of ListIdentifiers, and then
checks whether ``from`` and ``until`` really filter (many servers ignore them, which makes
every "incremental" harvest a silent full one, or a silently empty one). ``to_toml_entry``
turns the report into a ready ``[sources.<name>]`` block for ``pipelines/sources.toml``.

Identify must succeed (otherwise this is no OAI-PMH endpoint and its classified error is
raised); every later step that fails is a note in the report, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from harvesters.oai.client import OAIClient, WarningEvent
from harvesters.oai.errors import HarvestError
from harvesters.oai.parse import MetadataFormat, OAISet, RecordItem
from harvesters.oai.retry import RetryEvent

# Richest first. LOM is the learning-object standard (educational fields: audience,
# context, difficulty...), DataCite and MODS carry typed identifiers, creators and
# licences, qualified DC refines the fifteen elements, oai_dc is what every server has.
PREFERRED_PREFIXES = (
    "oai_lom",
    "lom",
    "oai_datacite",
    "datacite",
    "mods",
    "qdc",
    "oai_qdc",
    "oai_dc",
)
SETS_KEPT = 20
DAY_GRANULARITY = "YYYY-MM-DD"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_NOTE_CHARS = 160  # per probe note in the TOML entry (the report keeps them whole)


@dataclass
class ProbeReport:
    base_url: str
    repository_name: str | None = None
    granularity: str | None = None
    earliest_datestamp: str | None = None
    deleted_record: str | None = None
    admin_emails: list[str] = field(default_factory=list)
    formats: list[MetadataFormat] = field(default_factory=list)
    preferred_prefix: str | None = None
    sets_count: int | None = None  # None: ListSets failed; at least this many if not complete
    sets_complete: bool = True
    sets: list[OAISet] = field(default_factory=list)  # the first SETS_KEPT
    sample_prefix: str | None = None  # the format the list requests were probed with
    page_size: int | None = None  # items on the first ListIdentifiers page
    complete_list_size: int | None = None
    size_estimate: int | None = None
    deleted_seen: int = 0
    oldest_datestamp_seen: str | None = None
    newest_datestamp_seen: str | None = None
    from_filters: bool | None = None
    until_filters: bool | None = None
    requests: int = 0
    notes: list[str] = field(default_factory=list)


def probe(
    url: str,
    *,
    client_factory: Callable[[str], OAIClient] = OAIClient,
    sample_pages: int = 1,
    max_set_pages: int = 5,
) -> ProbeReport:
    """Probe ``url``; raises the classified HarvestError only if Identify fails."""
    report = ProbeReport(base_url=url)
    client = client_factory(url)
    try:
        _identify(client, report)
        _formats(client, report)
        _sets(client, report, max_set_pages)
        items = _sample(client, report, sample_pages)
        if items:
            _check_from(client, report, items)
            _check_until(client, report, items)
        _client_notes(client, report)
        report.requests = client.request_count
    finally:
        client.close()
    return report


# --------------------------------------------------------------------------- steps


def _identify(client: OAIClient, report: ProbeReport) -> None:
    identify = client.identify()
    report.repository_name = identify.repository_name
    report.granularity = identify.granularity
    report.earliest_datestamp = identify.earliest_datestamp
    report.deleted_record = identify.deleted_record
    report.admin_emails = identify.admin_emails
    raw = client.last_response
    if raw is not None and raw.redirects:
        final = raw.url.split("?", 1)[0]
        report.notes.append(
            f"the endpoint redirects ({len(raw.redirects)}x) to {final}; consider using that URL"
        )
    if identify.base_url and identify.base_url.rstrip("/") != report.base_url.rstrip("/"):
        report.notes.append(f"Identify names a different baseURL: {identify.base_url}")
    if identify.deleted_record == "no":
        report.notes.append(
            "deletedRecord=no: deletions are never reported, so incremental harvests cannot "
            "see them; schedule periodic full harvests"
        )
    elif identify.deleted_record == "transient":
        report.notes.append("deletedRecord=transient: deletions may be reported, or not")
    elif identify.deleted_record != "persistent":
        report.notes.append(f"unknown deletedRecord policy {identify.deleted_record!r}")
    if identify.granularity == DAY_GRANULARITY:
        report.notes.append("day granularity: incremental windows overlap by up to a day")
    elif identify.granularity != "YYYY-MM-DDThh:mm:ssZ":
        report.notes.append(f"unknown granularity {identify.granularity!r}")
    if _parse_datestamp(identify.earliest_datestamp or "") is None:
        report.notes.append(f"earliestDatestamp {identify.earliest_datestamp!r} is not usable")


def _formats(client: OAIClient, report: ProbeReport) -> None:
    try:
        report.formats = client.list_metadata_formats()
    except HarvestError as exc:
        report.notes.append(f"ListMetadataFormats failed: {exc}")
        return
    prefixes = [f.prefix for f in report.formats]
    report.preferred_prefix = next((p for p in PREFERRED_PREFIXES if p in prefixes), None)
    if report.preferred_prefix is None:
        report.notes.append(f"none of the known formats is offered (offered: {prefixes})")
    if "oai_dc" not in prefixes:
        report.notes.append("oai_dc is not offered, although OAI-PMH requires it")


def _sets(client: OAIClient, report: ProbeReport, max_pages: int) -> None:
    chain = client.list_set_pages()
    count = 0
    try:
        for page in chain:
            count += len(page.items)
            room = SETS_KEPT - len(report.sets)
            report.sets.extend(page.items[:room])
            if chain.pages_fetched >= max_pages and chain.resume_params is not None:
                report.sets_complete = False
                report.notes.append(
                    f"ListSets has more than {max_pages} pages; at least {count} sets"
                )
                break
    except HarvestError as exc:
        report.notes.append(f"ListSets failed: {exc}")
        return
    if chain.end_reason == "noSetHierarchy":
        report.notes.append("no sets (noSetHierarchy)")
    report.sets_count = count


def _sample(client: OAIClient, report: ProbeReport, sample_pages: int) -> list[RecordItem]:
    prefixes = [f.prefix for f in report.formats]
    prefix = "oai_dc" if "oai_dc" in prefixes or not prefixes else report.preferred_prefix
    prefix = prefix or prefixes[0]
    report.sample_prefix = prefix
    chain = client.list_identifiers(prefix)
    items: list[RecordItem] = []
    try:
        for page in chain:
            if page.page_number == 1:
                report.page_size = len(page.items)
                report.complete_list_size = page.complete_list_size
            items.extend(page.items)
            if page.page_number >= sample_pages:
                break
    except HarvestError as exc:
        report.notes.append(f"ListIdentifiers {prefix} failed: {exc}")
        return items
    if chain.end_reason == "noRecordsMatch":
        report.page_size = 0
        report.size_estimate = 0
        report.notes.append(f"ListIdentifiers {prefix} answers noRecordsMatch: no records")
        return items
    if report.complete_list_size is not None:
        report.size_estimate = report.complete_list_size
    elif chain.end_reason is not None:
        report.size_estimate = len(items)  # the whole list fitted in the sample
    else:
        report.notes.append("no completeListSize: the size is known only after a full harvest")
    if report.page_size is not None and 0 < report.page_size < 10 and chain.end_reason is None:
        report.notes.append(f"small pages ({report.page_size} items): many requests per harvest")
    report.deleted_seen = sum(item.deleted for item in items)
    dated = sorted(
        (moment, item.datestamp)
        for item in items
        if (moment := _parse_datestamp(item.datestamp)) is not None
    )
    if len(dated) < len(items):
        report.notes.append(f"{len(items) - len(dated)} sampled datestamps are not UTC datestamps")
    if dated:
        report.oldest_datestamp_seen = dated[0][1]
        report.newest_datestamp_seen = dated[-1][1]
    return items


def _check_from(client: OAIClient, report: ProbeReport, items: list[RecordItem]) -> None:
    """``from`` after the newest datestamp seen: every answer must be >= from."""
    newest = _parse_datestamp(report.newest_datestamp_seen or "")
    if newest is None or report.sample_prefix is None:
        return
    from_moment, from_text = _step(newest, report.granularity, +1)
    returned = _list_window(client, report, "from", from_=from_text)
    if returned is None:
        return
    early = [i for i in returned if (m := _parse_datestamp(i.datestamp)) and m < from_moment]
    report.from_filters = not early
    if early:
        report.notes.append(
            f"from is ignored: from={from_text} returned {early[0].identifier} dated "
            f"{early[0].datestamp}; incremental harvests would re-read everything"
        )


def _check_until(client: OAIClient, report: ProbeReport, items: list[RecordItem]) -> None:
    """``until`` before the earliest datestamp: nothing (or only older records) may come."""
    earliest = _parse_datestamp(report.earliest_datestamp or "") or _parse_datestamp(
        report.oldest_datestamp_seen or ""
    )
    if earliest is None or report.sample_prefix is None or earliest.year < 2:
        return
    until_moment, until_text = _step(earliest, report.granularity, -1)
    if report.granularity == DAY_GRANULARITY:
        until_moment += timedelta(days=1) - timedelta(microseconds=1)  # the whole day
    returned = _list_window(client, report, "until", until=until_text)
    if returned is None:
        return
    late = [i for i in returned if (m := _parse_datestamp(i.datestamp)) and m > until_moment]
    report.until_filters = not late
    if late:
        report.notes.append(
            f"until is ignored: until={until_text} returned {late[0].identifier} dated "
            f"{late[0].datestamp}; windowed harvests would overlap"
        )
    elif returned:
        report.notes.append(
            f"records older than earliestDatestamp exist (until={until_text} returned "
            f"{len(returned)} on its first page)"
        )


def _list_window(
    client: OAIClient, report: ProbeReport, name: str, **window: str
) -> list[RecordItem] | None:
    assert report.sample_prefix is not None
    chain = client.list_identifiers(report.sample_prefix, **window)
    try:
        page = next(chain, None)
    except HarvestError as exc:
        report.notes.append(f"the {name} check failed, so it is unknown: {exc}")
        return None
    return [] if page is None else page.items


def _client_notes(client: OAIClient, report: ProbeReport) -> None:
    retries = [e for e in client.events if isinstance(e, RetryEvent)]
    if retries:
        reasons = sorted({e.reason for e in retries})
        report.notes.append(f"{len(retries)} request(s) had to be retried ({', '.join(reasons)})")
    codes = sorted({e.code for e in client.events if isinstance(e, WarningEvent)})
    for code in codes:
        report.notes.append(f"warning seen: {code}")


# --------------------------------------------------------------------------- dates


def _parse_datestamp(text: str) -> datetime | None:
    text = text.strip()
    try:
        if _SECONDS.fullmatch(text):
            return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        if _DAY.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return None


def _step(moment: datetime, granularity: str | None, direction: int) -> tuple[datetime, str]:
    """One granule after (+1) or before (-1) ``moment``, and its OAI-PMH text."""
    if granularity == DAY_GRANULARITY:
        day: date = moment.date() + timedelta(days=direction)
        return datetime(day.year, day.month, day.day, tzinfo=UTC), day.isoformat()
    stepped = moment.replace(microsecond=0) + timedelta(seconds=direction)
    return stepped, stepped.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- TOML


def to_toml_entry(
    report: ProbeReport,
    name: str,
    *,
    metadata_prefix: str | None = None,
    schedule: str = "0 3 * * *",
    enabled: bool | None = None,
) -> str:
    """A ``[sources.<name>]`` block for pipelines/sources.toml. The prefix defaults to the
    preferred one; ``enabled`` defaults to whether there is a prefix to harvest."""
    prefix = metadata_prefix or report.preferred_prefix or report.sample_prefix or "oai_dc"
    if enabled is None:
        enabled = bool(metadata_prefix or report.preferred_prefix)
    key = name if _BARE_KEY.fullmatch(name) else _toml_string(name)
    lines = [
        f"[sources.{key}]",
        'kind = "oai-pmh"',
        f"endpoint = {_toml_string(report.base_url)}",
        f"metadata_prefix = {_toml_string(prefix)}",
        "sets = []",
        f"schedule = {_toml_string(schedule)}",
        f"enabled = {'true' if enabled else 'false'}",
        f"notes = {_toml_string(_summary(report, prefix))}",
    ]
    return "\n".join(lines) + "\n"


def _summary(report: ProbeReport, prefix: str) -> str:
    others = [f.prefix for f in report.formats if f.prefix != prefix]
    size = "unknown size" if report.size_estimate is None else f"~{report.size_estimate} records"
    facts = [
        report.repository_name or "(no repositoryName)",
        f"{size}, pages of {report.page_size}",
        f"granularity {report.granularity}",
        f"deletedRecord {report.deleted_record}",
        f"from filters: {_yes_no(report.from_filters)}",
        f"until filters: {_yes_no(report.until_filters)}",
        f"{report.sets_count if report.sets_count is not None else '?'} sets",
    ]
    if others:
        facts.append(f"also offers {', '.join(others)}")
    notes = [n if len(n) <= _NOTE_CHARS else n[: _NOTE_CHARS - 3] + "..." for n in report.notes]
    return "; ".join(facts + notes)


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "NO")


def _toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
