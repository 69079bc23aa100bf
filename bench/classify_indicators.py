"""Do the official SDG indicator texts land on their goal? (coverage of what the goals measure)

    OER_VOCAB_SOURCES=../shared/vocab-sources .venv/bin/python bench/classify_indicators.py

The open-sdg translations of the 252 global indicator texts (global_indicators.yml, in the
six UN languages and German) are classified with their language; an indicator lands when
its own goal is the single goal with the most distinct matches (as `oer evaluate
cross-lingual` counts targets). Indicators are not in vocabularies/sdg.ttl; the evidence
phrases were extended from their wording in issue 7 (so this measures coverage, not
generalisation). Prints one JSON line per language.
"""

from __future__ import annotations

import json

from pipelines.evaluate import top_goal
from transforms.classify import classify_text
from vocabularies.build_licences import sources_dir
from vocabularies.build_sdg import TRANSLATIONS, clean_text, read_flat_yaml

LANGUAGES = ("ar", "de", "en", "es", "fr", "ru", "zh-Hans")  # BCP 47 = open-sdg folder


def indicators(folder: str) -> list[tuple[int, str]]:
    path = sources_dir() / TRANSLATIONS / folder / "global_indicators.yml"
    texts = read_flat_yaml(path.read_text(encoding="utf-8"))
    return [(int(key.split("-")[0]), clean_text(t)) for key, t in texts.items() if t.strip()]


def main() -> None:
    for lang in LANGUAGES:
        items = indicators(lang)
        landed = sum(top_goal(text, lang) == goal for goal, text in items)
        unlabelled = sum(not classify_text(text, lang).sdgs for _, text in items)
        print(json.dumps({
            "lang": lang, "indicators": len(items), "landed": round(landed / len(items), 3),
            "no_label": round(unlabelled / len(items), 3),
        }))  # fmt: skip


if __name__ == "__main__":
    main()
