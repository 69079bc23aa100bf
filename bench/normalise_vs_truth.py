"""Licence and language agreement of a harvested warehouse with the bench server's truth file.

    .venv/bin/python bench/normalise_vs_truth.py WAREHOUSE TRUTH.jsonl [--json]

WAREHOUSE: `oer harvest --url <bench server> --prefix oai_dc` of
`../shared/bench/oai_server.py --truth-file TRUTH.jsonl` (same --n and --seed); see
docs/quality.md for the commands. The truth gives per record the language the text was
written in, the licence its dc:rights values state (a label such as CC-BY-SA-4.0,
CC-BY-NC (no version), CC-BY-3.0-IGO, CC0-1.0, PDM-1.0, public-domain, ARR, MIT, other, or
null) and the declared values. Each label is turned into the URI our vocabulary uses for it;
labels of CC licences that were never published (2.5 IGO, 3.0 CO…) are counted apart.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

import duckdb

from vocabularies.loader import licences

CC = "https://creativecommons.org/licenses/"
FIXED = {
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "PDM-1.0": "https://creativecommons.org/publicdomain/mark/1.0/",
    "public-domain": "https://creativecommons.org/publicdomain/mark/1.0/",
    "ARR": "http://rightsstatements.org/vocab/InC/1.0/",
    "GFDL": "https://www.gnu.org/licenses/fdl.html",
    "other": None,
}


def expected_uri(label: str | None) -> str | None:
    """The truth label as a licence URI (None: no licence stated)."""
    if label is None or label in FIXED:
        return FIXED.get(label) if label else None
    if label.startswith("CC-"):
        parts = label[3:].split("-")
        elements = [
            p.lower() for p in parts if p.isalpha() and p.lower() in ("by", "nc", "nd", "sa")
        ]
        rest = parts[len(elements) :]
        uri = CC + "-".join(elements) + "/"
        if rest:
            uri += rest[0] + "/"
            if len(rest) > 1:
                uri += rest[1].lower() + "/"
        return uri
    return f"http://spdx.org/licenses/{label}"


def primary(tag: str | None) -> str | None:
    return tag.split("-", 1)[0] if tag else None


def compare(db: str, truth_path: str) -> dict:
    concepts = licences()
    truth = {}
    with open(truth_path, encoding="utf-8") as fh:
        for line in fh:
            t = json.loads(line)
            if not t["deleted"]:
                truth[t["identifier"]] = t
    con = duckdb.connect(db, read_only=True)
    rows = con.execute(
        "SELECT oai_identifier, licence_uri, open_for_adaptation, language_tags, "
        "language_source FROM resources WHERE NOT deleted"
    ).fetchall()
    con.close()
    lic = Counter()
    lang = Counter()
    lic_confusions: Counter = Counter()
    lang_by_source: dict[str, Counter] = {}
    for oai_id, uri, open_flag, tags, source in rows:
        t = truth.get(oai_id)
        if t is None:
            lic["not in truth"] += 1
            continue
        want = expected_uri(t["licence"])
        published = want is None or want in concepts
        key = "licence" if published else "licence (truth names an unpublished CC licence)"
        lic[key + " items"] += 1
        if uri == want:
            lic[key + " agree"] += 1
        elif published:
            lic_confusions[(t["licence"], uri)] += 1
        want_open = concepts[want].open_for_adaptation if want in concepts else "unknown"
        if not published:  # its flags: those of the licence of that version/elements
            want_open = "no" if "-ND" in t["licence"] else "yes"
        lic["open items"] += 1
        lic["open agree"] += open_flag == want_open
        got = primary(tags[0]) if tags else None
        source = source or "none"
        by = lang_by_source.setdefault(source, Counter())
        by["items"] += 1
        by["agree"] += got == t["lang"]
        lang["items"] += 1
        lang["agree"] += got == t["lang"]
    return {
        "records": len(rows),
        "licence_agreement": lic["licence agree"] / max(lic["licence items"], 1),
        "licence_items": lic["licence items"],
        "unpublished_cc_items": lic["licence (truth names an unpublished CC licence) items"],
        "unpublished_cc_agreement": lic["licence (truth names an unpublished CC licence) agree"]
        / max(lic["licence (truth names an unpublished CC licence) items"], 1),
        "open_for_adaptation_agreement": lic["open agree"] / max(lic["open items"], 1),
        "language_agreement": lang["agree"] / max(lang["items"], 1),
        "language_by_source": {
            k: {"items": v["items"], "agreement": round(v["agree"] / v["items"], 4)}
            for k, v in sorted(lang_by_source.items())
        },
        "licence_confusions": [
            {"truth": a, "got": b, "count": c} for (a, b), c in lic_confusions.most_common(15)
        ],
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("warehouse")
    ap.add_argument("truth")
    args = ap.parse_args()
    print(json.dumps(compare(args.warehouse, args.truth), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
