"""HCRT vocabulary (vocabularies/hcrt.ttl) and the resource type mapping built from it."""

from __future__ import annotations

import pytest

from transforms.resource_types import HCRT, index, normalize, to_hcrt
from vocabularies import concept_labels, concepts, load, pref_label

CONCEPT_IDS = [
    "application",
    "assessment",
    "audio",
    "case_study",
    "course",
    "data",
    "diagram",
    "drill_and_practice",
    "educational_game",
    "experiment",
    "image",
    "index",
    "lesson_plan",
    "map",
    "other",
    "portal",
    "questionnaire",
    "script",
    "sheet_music",
    "simulation",
    "slide",
    "text",
    "textbook",
    "video",
    "web_page",
    "worksheet",
]


def hcrt(concept_id: str) -> str:
    return f"{HCRT}{concept_id}"


# ---------------------------------------------------------------- the vocabulary


def test_vocabulary_has_the_26_hcrt_concepts_with_en_and_de_labels() -> None:
    graph = load("hcrt")
    assert load("hcrt") is graph  # cached
    assert concepts(graph) == sorted(hcrt(c) for c in CONCEPT_IDS)
    prefs = concept_labels(graph)
    for uri in concepts(graph):
        assert len(prefs[uri]["en"]) == 1 and len(prefs[uri]["de"]) == 1, uri
    assert pref_label(graph, hcrt("index")) == "Reference Work"
    assert pref_label(graph, hcrt("drill_and_practice"), "de") == "Übung"
    alts = concept_labels(graph, alt=True)
    assert {"es", "fr", "pt", "it"} <= set(alts[hcrt("video")])


def test_unknown_vocabulary_is_an_error() -> None:
    with pytest.raises(FileNotFoundError):
        load("no-such-vocabulary")


def test_no_label_maps_to_two_concepts() -> None:
    table, conflicts = index()
    assert conflicts == []
    assert len(table) > 500


def test_every_concept_maps_to_itself_by_id_uri_and_labels() -> None:
    graph = load("hcrt")
    for concept_id in CONCEPT_IDS:
        uri = hcrt(concept_id)
        expected = (uri, pref_label(graph, uri))
        assert to_hcrt(concept_id) == expected
        assert to_hcrt(uri) == expected
        for labels in concept_labels(graph)[uri].values():
            for label in labels:
                assert to_hcrt(label) == expected, label


# ---------------------------------------------------------------- source vocabularies

LOM = {  # IEEE LOM 5.2
    "exercise": "drill_and_practice",
    "simulation": "simulation",
    "questionnaire": "questionnaire",
    "diagram": "diagram",
    "figure": "image",
    "graph": "diagram",
    "index": "index",
    "slide": "slide",
    "table": "data",
    "narrative text": "text",
    "exam": "assessment",
    "experiment": "experiment",
    "problem statement": "worksheet",
    "self assessment": "assessment",
    "lecture": None,  # HCRT has no lecture concept
}
LOM_ES = {  # LOM-ES v1.0 5.2 codes
    "photograph": "image",
    "illustration": "image",
    "video": "video",
    "animation": "video",
    "music": "audio",
    "sound effect": "audio",
    "voice-over": "audio",
    "compound audio": "audio",
    "narrative text": "text",
    "hypertext": "text",
    "computer graphics": "image",
    "integrated media": None,
    "database": "data",
    "table": "data",
    "graph": "diagram",
    "conceptual map": "diagram",
    "navigation map": "diagram",
    "multimedia presentation": "slide",
    "tutorial": None,
    "digital dictionary": "index",
    "digital encyclopaedia": "index",
    "digital periodical publication": "text",
    "thematic or corporate webs/web portals": "portal",
    "wiki": "web_page",
    "weblog": "web_page",
    "office tool": "application",
    "programming service": "application",
    "information/knowledgeanalysis/organization service": "application",  # as in Agrega
    "guided reading": "text",
    "master class": None,
    "textual-image analysis": "drill_and_practice",
    "discussion activity": None,
    "closed exercise or problem": "drill_and_practice",
    "contextualized case problem": "case_study",
    "open problem": "worksheet",
    "real or virtual learning environment": "simulation",
    "didactic game": "educational_game",
    "webquest": "questionnaire",
    "experiment": "experiment",
    "real project": None,
    "simulation": "simulation",
    "questionnaire": "questionnaire",
    "exam": "assessment",
    "self assessment": "assessment",
}
LOM_ES_LABELS = {  # the same vocabulary's Spanish labels
    "Fotografía": "image",
    "Vídeo": "video",
    "imagen": "image",
    "Efecto sonoro": "audio",
    "Texto narrativo": "text",
    "Mapa conceptual": "diagram",
    "Presentación multimedia": "slide",
    "Diccionario digital": "index",
    "Web/portal temático o corporativo": "portal",
    "Herramienta de ofimática": "application",
    "aplicación informática": "application",
    "Lección magistral": None,
    "Ejercicio o problema cerrado": "drill_and_practice",
    "Caso contextualizado": "case_study",
    "Problema abierto": "worksheet",
    "Juego didáctico": "educational_game",
    "Cuestionario": "questionnaire",
    "Examen": "assessment",
    "Autoevaluación": "assessment",
    "guía didáctica": "lesson_plan",
}
DCMI = {
    "http://purl.org/dc/dcmitype/MovingImage": "video",
    "Sound": "audio",
    "StillImage": "image",
    "Image": "image",
    "Dataset": "data",
    "Software": "application",
    "Text": "text",
    "InteractiveResource": None,
    "Collection": None,
    "Event": None,
}
LRMI = {
    "https://schema.org/VideoObject": "video",
    "Quiz": "assessment",
    "LessonPlan": "lesson_plan",
    "Lesson Plan": "lesson_plan",
    "Worksheet": "worksheet",
    "Presentation": "slide",
    "Textbook": "textbook",
    "Game": "educational_game",
    "Map": "map",
    "Course": "course",
    "WebPage": "web_page",
    "SoftwareApplication": "application",
}
MODS_DATACITE = {  # MODS typeOfResource, DataCite resourceTypeGeneral
    "still image": "image",
    "moving image": "video",
    "sound recording-nonmusical": "audio",
    "cartographic": "map",
    "notated music": "sheet_music",
    "software, multimedia": "application",
    "mixed material": None,
    "Audiovisual": "video",
    "InteractiveResource": None,
}
FREE_TEXT = {
    "Arbeitsblatt": "worksheet",
    "Arbeitsblätter": "worksheet",
    "Lehrbuch": "textbook",
    "Erklärvideo": "video",
    "Unterrichtsplanung": "lesson_plan",
    "Vorlesungsskript": "script",
    "Fallstudie": "case_study",
    "Musiknoten": "sheet_music",
    "livre": None,
    "exercice": "drill_and_practice",
    "exercício": "drill_and_practice",
    "esercizio": "drill_and_practice",
    "fiche de travail": "worksheet",
    "apresentação": "slide",
    "mappa concettuale": "diagram",
    "libro de texto": "textbook",
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *LOM.items(),
        *LOM_ES.items(),
        *LOM_ES_LABELS.items(),
        *DCMI.items(),
        *LRMI.items(),
        *MODS_DATACITE.items(),
        *FREE_TEXT.items(),
    ],
)
def test_mapping(raw: str, expected: str | None) -> None:
    found = to_hcrt(raw)
    assert (found[0] if found else None) == (hcrt(expected) if expected else None)


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    "raw",
    [
        "Drill and Practice",
        "drill_and_practice",
        "drill-and-practice",
        "DRILL AND PRACTICE",
        "  drill   and practice ",
        "https://w3id.org/kim/hcrt/drill_and_practice",
        "http://w3id.org/kim/hcrt/drill_and_practice/",
        "hcrt:drill_and_practice",
        "exercises",
        "Ejercicios",
        "Übungen",
    ],
)
def test_spelling_variants_meet(raw: str) -> None:
    assert to_hcrt(raw) == (hcrt("drill_and_practice"), "Drill and Practice")


def test_plurals_and_accents() -> None:
    assert to_hcrt("Lesson Plans") == to_hcrt("lesson plan")
    assert to_hcrt("case studies") == to_hcrt("Case Study")
    assert to_hcrt("imágenes")[0] == hcrt("image")  # type: ignore[index]
    assert to_hcrt("Mapas conceptuales")[0] == hcrt("diagram")  # type: ignore[index]
    assert to_hcrt("video") == to_hcrt("VÍDEO") == to_hcrt("Vídeos")
    assert normalize("MovingImage") == "moving image"
    assert normalize("Web/portal temático") == "web portal tematico"


@pytest.mark.parametrize("raw", ["", "   ", "?", "12345", "lecture", "learning object"])
def test_unknown_values_are_none(raw: str) -> None:
    assert to_hcrt(raw) is None
