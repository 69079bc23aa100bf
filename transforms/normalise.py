"""The normalisation stage: licence and language columns of mapped records, with their issues.

`normalise_batch(records, settings)` fills each record's derived fields (`DERIVED_FIELDS` in
transforms/model.py) from the mapped ones and appends its record issues:

- licence: `normalise_rights` over `rights` (transforms/licences.py, precedence and
  conflicts there); `unrecognised_licence` for each rights value that is neither a licence,
  a rights statement nor an access right (a warning when the record ends without a licence,
  info when another value gave one); `conflicting_licences` from the precedence rule.
- language, in this order:
  1. `declared`: the record's language values (transforms/languages.py); each unparsable
     value is an `unparsable_language` warning;
  2. `xml:lang`: the languages the titles/descriptions carry themselves;
  3. `repository-default`: the source's `defaults.language` (sources.toml), checked against
     the text;
  4. `detected`: the first title and the first description without their own language are
     detected (transforms/detection.py, ≥ 20 letters); the longer text decides.
  A repository default (applied, or declared by a record exactly as the source's default) that
  the text contradicts — the longer detected field reads, with confidence ≥
  MISMATCH_CONFIDENCE, as another language — is a `language_mismatch` warning, and the
  detected language is used.

Normalisation issues are replaced, not added to, when a record is normalised again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from transforms.detection import DEFAULT_DETECTOR, Detection, detect
from transforms.languages import normalise_language, normalise_languages
from transforms.licences import LicenceResult, normalise_licence, normalise_rights
from transforms.model import Record, TextLanguage

__all__ = [
    "MISMATCH_CONFIDENCE",
    "NORMALISER_CODES",
    "NORMALISER_VERSION",
    "Settings",
    "normalise_batch",
    "normalise_record",
]

NORMALISER_VERSION = "1"
NORMALISER_CODES = frozenset(
    {"unrecognised_licence", "conflicting_licences", "unparsable_language", "language_mismatch"}
)
MISMATCH_CONFIDENCE = 0.8
_SHOWN = 200  # characters of a raw value quoted in an issue message


@dataclass(frozen=True, slots=True)
class Settings:
    detector: str = DEFAULT_DETECTOR
    default_language: str | None = None  # the source's declared default, as configured

    @classmethod
    def for_source(cls, defaults: dict, detector: str | None = None) -> Settings:
        return cls(
            detector=detector or defaults.get("language_detector") or DEFAULT_DETECTOR,
            default_language=defaults.get("language"),
        )


def normalise_batch(records: Iterable[Record], settings: Settings = Settings()) -> None:
    default = _default_tag(settings.default_language)
    for record in records:
        _normalise(record, settings.detector, default)


def normalise_record(record: Record, settings: Settings = Settings()) -> Record:
    normalise_batch([record], settings)
    return record


def _default_tag(value: str | None) -> str | None:
    if not value:
        return None
    tags = normalise_language(value).languages
    if len(tags) != 1:
        raise ValueError(f"defaults.language {value!r} is not one language")
    return tags[0]


def _normalise(record: Record, detector: str, default: str | None) -> None:
    record.issues = [i for i in record.issues if i["code"] not in NORMALISER_CODES]
    if record.deleted:
        _clear(record)
        return
    _licence(record)
    _language(record, detector, default)
    record.normaliser_version = NORMALISER_VERSION


def _clear(record: Record) -> None:
    record.language_tags, record.language_source, record.text_languages = [], None, []
    _set_licence(record, None, None)
    record.normaliser_version = NORMALISER_VERSION


def _issue(record: Record, code: str, severity: str, field: str, message: str) -> None:
    record.issues.append({"code": code, "severity": severity, "field": field, "message": message})


def _shown(raw: str) -> str:
    return raw if len(raw) <= _SHOWN else raw[:_SHOWN] + "…"


# ------------------------------------------------------------------------------ licence


def _licence(record: Record) -> None:
    best, access, issues = normalise_rights(record.rights)
    _set_licence(record, best, access)
    record.issues.extend(issues)  # type: ignore[arg-type]
    for index, raw in enumerate(record.rights):
        if normalise_licence(raw).rule == "unrecognised":
            _issue(
                record,
                "unrecognised_licence",
                "info" if best else "warning",
                f"rights[{index}]",
                f"rights value not recognised as a licence or access right: {_shown(raw)!r}",
            )


def _set_licence(record: Record, best: LicenceResult | None, access: LicenceResult | None) -> None:
    record.licence_uri = best.licence_uri if best else None
    record.licence_spdx = best.spdx if best else None
    record.licence_family = best.family if best else None
    record.licence_version = best.version if best else None
    record.licence_port = best.port if best else None
    record.licence_allows_adaptation = best.allows_adaptation if best else None
    record.licence_allows_commercial = best.allows_commercial if best else None
    record.licence_share_alike = best.share_alike if best else None
    record.open_for_adaptation = best.open_for_adaptation if best else "unknown"
    record.licence_rule = best.rule if best else None
    record.licence_raw = best.input if best else None
    record.access_rights_uri = access.access_rights_uri if access else None


# ------------------------------------------------------------------------------ language


def _language(record: Record, detector: str, default: str | None) -> None:
    declared, results = normalise_languages(record.languages)
    for index, result in enumerate(results):
        if result.rule == "unparsable":
            _issue(
                record,
                "unparsable_language",
                "warning",
                f"languages[{index}]",
                f"language value not understood: {_shown(result.input)!r}",
            )
    text_languages = _field_languages(record)
    own = list(text_languages)
    stamped = default is not None and declared == (default,)
    tags: tuple[str, ...] = declared
    source: str | None = "declared" if declared else None
    if not declared and own:
        tags, source = tuple(dict.fromkeys(t["lang"] for t in own)), "xml:lang"
    elif not declared or stamped:
        detections = _detect_fields(record, text_languages, detector)
        claimed = default if (stamped or (default and not declared)) else None
        best = max(detections, key=lambda d: d[1].letters)[1] if detections else None
        if claimed:
            tags, source = (claimed,), ("declared" if stamped else "repository-default")
            if best and _contradicts(best, claimed):
                _issue(
                    record,
                    "language_mismatch",
                    "warning",
                    "languages",
                    f"repository default language {claimed!r} but the text reads as "
                    f"{best.lang!r} ({best.detector}, confidence {best.confidence:.2f}, "
                    f"{best.letters} letters); using {best.lang!r}",
                )
                tags, source = (best.lang,), "detected"
        elif best:
            tags, source = (best.lang,), "detected"
    record.language_tags = list(tags)
    record.language_source = source
    record.text_languages = text_languages


def _field_languages(record: Record) -> list[TextLanguage]:
    """The titles'/descriptions' own (xml:lang) languages; unparsable ones are issues."""
    found: list[TextLanguage] = []
    for field in ("titles", "descriptions"):
        for index, value in enumerate(getattr(record, field)):
            lang = value.get("lang")
            if not lang:
                continue
            result = normalise_language(lang)
            if len(result.languages) == 1:
                found.append(_text_language(field, index, result.languages[0], "xml:lang", None))
            elif result.rule == "unparsable":
                _issue(
                    record,
                    "unparsable_language",
                    "warning",
                    f"{field}[{index}]",
                    f"xml:lang not understood: {_shown(lang)!r}",
                )
    return found


def _detect_fields(
    record: Record, text_languages: list[TextLanguage], detector: str
) -> list[tuple[str, Detection]]:
    """Detections for the first title and first description that have no language of their
    own (added to `text_languages`)."""
    known = {(t["field"], t["index"]) for t in text_languages}
    detections = []
    for field in ("titles", "descriptions"):
        values = getattr(record, field)
        if not values or (field, 0) in known:
            continue
        found = detect(values[0]["value"], detector)
        if found is not None:
            detections.append((field, found))
            text_languages.append(
                _text_language(field, 0, found.lang, found.detector, found.confidence)
            )
    return detections


def _text_language(
    field: str, index: int, lang: str, method: str, confidence: float | None
) -> TextLanguage:
    return {"field": field, "index": index, "lang": lang, "method": method,
            "confidence": confidence}  # fmt: skip


def _contradicts(found: Detection, claimed: str) -> bool:
    return found.confidence >= MISMATCH_CONFIDENCE and _primary(found.lang) != _primary(claimed)


def _primary(tag: str) -> str:
    primary = tag.split("-", 1)[0]
    return "no" if primary in ("nb", "nn") else primary
