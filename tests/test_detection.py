"""Language detection (transforms/detection.py) and its dev set (`oer evaluate detection`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.evaluate import evaluate_detection, read_rows
from transforms.detection import DEFAULT_DETECTOR, DETECTORS, MIN_LETTERS, detect

DEV = Path(__file__).resolve().parent / "data" / "languages" / "detection_dev.tsv"
TEXTS = {
    "de": "Bis 2030 die extreme Armut für alle Menschen überall auf der Welt beseitigen",
    "es": "Poner fin a la pobreza en todas sus formas en todo el mundo",
    "ru": "Повсеместная ликвидация нищеты во всех её формах",
    "zh": "在全世界消除一切形式的贫困，确保所有人都能享有可持续的能源",
    "ar": "القضاء على الفقر بجميع أشكاله في كل مكان من العالم",
}


CASES = [
    pytest.param(
        detector,
        lang,
        text,
        marks=pytest.mark.xfail(strict=True, reason="langdetect reads this Chinese as Korean")
        if (detector, lang) == ("langdetect", "zh")
        else (),
    )
    for detector in sorted(DETECTORS)
    for lang, text in sorted(TEXTS.items())
]


@pytest.mark.parametrize(("detector", "lang", "text"), CASES)
def test_every_detector_finds_the_language_of_a_sentence(detector: str, lang: str, text: str):
    found = detect(text, detector)
    assert found is not None
    assert found.lang.split("-")[0] == lang
    assert 0 < found.confidence <= 1
    assert found.detector == detector
    assert found.letters >= MIN_LETTERS


@pytest.mark.parametrize("detector", sorted(DETECTORS))
def test_fewer_than_20_letters_is_no_detection(detector: str) -> None:
    assert detect("Statistik 2020 (PDF)", detector) is None  # 12 letters
    assert detect("1234567890 " * 10, detector) is None
    assert detect("Statistik für Lehrkräfte", detector) is not None  # 22 letters


@pytest.mark.parametrize("detector", sorted(DETECTORS))
def test_detection_is_deterministic(detector: str) -> None:
    text = "Ein kurzer Text über Mathematik in der Schule"
    assert len({detect(text, detector) for _ in range(5)}) == 1


def test_text_a_detector_cannot_read_is_no_answer_not_an_error() -> None:
    # a lone surrogate is not valid UTF-8: cld2 refuses it, fastText answers
    found = detect("Open educational resources \ud800 for teachers", DEFAULT_DETECTOR)
    assert found is None or found.lang == "en"


def test_unknown_detector_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        detect("Open educational resources for teachers", "nope")


def test_dev_set_has_20_languages_and_both_fields() -> None:
    rows = read_rows(DEV, 4)
    assert len({r[0] for r in rows}) >= 20
    assert {r[1] for r in rows} == {"title", "description"}
    assert len({r[3] for r in rows}) == len(rows)


def test_default_detector_meets_the_bar_on_the_dev_set() -> None:
    result = evaluate_detection(DEV)
    assert result.scores["detection"] >= 0.97
    assert result.notes["languages_at_97"] >= 20
