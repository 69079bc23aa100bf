"""JSON-LD / microdata extraction from HTML pages: real pages, bad blocks, graphs, references."""

from __future__ import annotations

import json

import extruct
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harvesters.web import extract_jsonld, item_identifier, resolve_references
from harvesters.web.extract import flatten
from tests.support.corpus import corpus_path

PAGE = "https://example.org/page"


def html(*blocks: str, head: str = "", body: str = "") -> bytes:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return f"<html><head>{head}{scripts}</head><body>{body}</body></html>".encode()


# ---------------------------------------------------------------- real pages


@pytest.mark.parametrize(
    "name", ["hoou-ifm-erzaehlung-wie", "hoou-online-punkteabfrage", "hoou-tutorial-lernen-lernen"]
)
def test_hoou_page_has_one_resource_among_three_blocks(name: str) -> None:
    content = corpus_path("oersi-etl-hoou", f"{name}.html").read_bytes()
    result = extract_jsonld(content, "https://www.hoou.de/materials/x")
    assert result.problems == []
    (resource,) = result.resources
    assert resource.types == ("CreativeWork",) and resource.block == 2
    assert resource.identifier == "https://www.hoou.de/materials/x#2"
    assert resource.obj["mainEntityOfPage"] == "https://www.hoou.de/materials/x"
    assert json.loads(resource.raw)["@type"] == "CreativeWork"  # the block as found
    assert "mainEntityOfPage" not in json.loads(resource.raw)
    assert [o.types for o in result.others] == [("Organization",), ("BreadcrumbList",)]
    assert [o.identifier for o in result.others] == [
        "https://www.hoou.de/materials/x#0",
        "https://www.hoou.de/materials/x#1",
    ]


def test_creative_work_page_json_ld_and_microdata() -> None:
    content = corpus_path("extruct-web-pages", "schema.org", "CreativeWork.001.html").read_bytes()
    result = extract_jsonld(content, "https://schema.org/CreativeWork.001.html")
    assert result.problems == []
    assert [(o.syntax, o.types, o.identifier) for o in result.resources] == [
        ("json-ld", ("WebPage",), "https://schema.org/CreativeWork.001.html#0"),
        ("microdata", ("Book",), "http://worldcat.org/entity/work/id/2292573321"),
        ("microdata", ("Book",), "http://worldcat.org/entity/work/id/460647"),
    ]
    page = result.resources[0].obj
    # relative IRIs resolved against the page, as a JSON-LD processor would
    assert page["mainEntity"]["image"] == "https://schema.org/catcher-in-the-rye-book-cover.jpg"
    assert page["url"] == "https://schema.org/CreativeWork.001.html"
    assert [o.types for o in result.others] == [("Person",), ("Person",)]


def test_songkick_page_events_are_others() -> None:
    content = corpus_path("extruct-web-pages", "songkick", "elysianfields.html").read_bytes()
    result = extract_jsonld(content, "https://www.songkick.com/artists/236156")
    assert result.problems == [] and result.resources == []
    assert [o.types[0] for o in result.others] == ["MusicEvent"] * 4 + ["MusicGroup"]
    assert result.others[0].identifier == "https://www.songkick.com/artists/236156#0"


@pytest.mark.parametrize(
    "parts",
    [
        ("misc", "dublincore_test.html"),
        ("misc", "Portfolio_Niels_Lubberman.html"),
        ("wikipedia", "xhtml+rdfa.html"),
    ],
)
def test_pages_without_json_ld_or_microdata(parts: tuple[str, str]) -> None:
    result = extract_jsonld(corpus_path("extruct-web-pages", *parts).read_bytes(), PAGE)
    assert (result.resources, result.others, result.problems) == ([], [], [])


def test_hewlett_grants_resolve_against_their_agents() -> None:
    grants = json.loads(
        corpus_path("oerworldmap", "hewlett", "hewlett_grants.part.json").read_text()
    )
    raw_agents = corpus_path("oerworldmap", "hewlett", "agents.json").read_bytes()
    assert raw_agents.startswith(b"\xef\xbb\xbf")
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw_agents.decode("utf-8"))
    agents = json.loads(raw_agents.decode("utf-8-sig"))
    resolved = resolve_references(grants + agents)[: len(grants)]
    rebus = next(g for g in resolved if g["@id"].endswith("b9bb1104-abe2-432b-a635-d44450228fc7"))
    assert rebus["agent"][0]["name"] == [{"@value": "The Rebus Foundation", "@language": "en"}]
    assert grants[0]["agent"] == [{"@id": "urn:uuid:c45ceb70-e128-4e63-ae52-b3f2a1f55c43"}]
    assert item_identifier(grants[0], "file:///hewlett.json", 0) == grants[0]["@id"]


# ---------------------------------------------------------------- bad blocks


def test_extruct_alone_would_lose_or_raise_on_a_bad_block() -> None:
    """Why extraction goes block by block (see the module docstring)."""
    page = html('{"name": "bad",,}', '{"@type": "Book", "name": "good"}')
    with pytest.raises(ValueError):
        extruct.extract(page, syntaxes=["json-ld"], uniform=True)
    assert extruct.extract(page, syntaxes=["json-ld"], uniform=True, errors="ignore") == {}


def test_invalid_json_block_is_an_error_with_its_raw_text_and_the_rest_is_kept() -> None:
    bad = '{"@type": "Course", "name": "unterminated'
    result = extract_jsonld(html(bad, '{"@type": "Book", "name": "good"}'), PAGE)
    (problem,) = result.problems
    assert (problem.code, problem.severity, problem.block, problem.raw) == (
        "invalid_json",
        "error",
        0,
        bad,
    )
    assert [o.obj["name"] for o in result.resources] == ["good"]
    assert result.resources[0].identifier == f"{PAGE}#0"  # positions count nodes, not blocks


def test_comments_and_trailing_commas_are_read_leniently_with_a_warning() -> None:
    block = '\n// generated\n{"@type": "Course", "name": "C",}'
    result = extract_jsonld(html(block), PAGE)
    assert [p.code for p in result.problems] == ["lenient_json"]
    assert result.problems[0].raw == block
    assert result.resources[0].obj["name"] == "C"


def test_empty_and_scalar_blocks_are_reported() -> None:
    result = extract_jsonld(html("  ", "42", "null", "[]"), PAGE)
    assert [(p.code, p.block) for p in result.problems] == [
        ("empty_block", 0),
        ("not_an_object", 1),
    ]
    assert result.objects == []


def test_script_type_variants_and_html_entities_in_blocks() -> None:
    page = (
        b'<html><script type="Application/LD+JSON; charset=utf-8">'
        b'{"@type": "Book", "name": "Tom &amp; Jerry"}</script>'
        b'<script type="application/json">{"@type": "Book"}</script></html>'
    )
    result = extract_jsonld(page, PAGE)
    # script content is raw text in HTML: entities are not decoded (the crosswalk's hygiene does)
    assert [o.obj["name"] for o in result.resources] == ["Tom &amp; Jerry"]


def test_empty_or_undecodable_page_never_raises() -> None:
    assert [p.code for p in extract_jsonld(b"", PAGE).problems] == ["html_error"]
    assert extract_jsonld(b"\xff\xfe\x00garbage", PAGE).objects == []


def test_declared_charset_is_honoured() -> None:
    page = (
        '<html><head><meta charset="iso-8859-1"><script type="application/ld+json">'
        '{"@type": "Book", "name": "Grüße"}</script></head></html>'
    ).encode("latin-1")
    assert extract_jsonld(page, PAGE).resources[0].obj["name"] == "Grüße"
    utf8 = html('{"@type": "Book", "name": "Grüße"}')
    assert extract_jsonld(utf8, PAGE).resources[0].obj["name"] == "Grüße"


# ---------------------------------------------------------------- graphs and references


def test_graph_is_flattened_with_its_context_and_references_resolved() -> None:
    block = json.dumps(
        {
            "@context": ["https://w3id.org/kim/amb/context.jsonld", {"@language": "de"}],
            "@graph": [
                {"id": "#course", "type": ["LearningResource", "Course"], "name": "K",
                 "creator": {"id": "#p1"}},
                {"id": "#p1", "type": "Person", "name": "P", "worksFor": {"id": "#course"}},
                {"@graph": [{"id": "_:b0", "type": "Organization", "name": "O"}]},
            ],
        }
    )  # fmt: skip
    result = extract_jsonld(html(block), PAGE)
    (course,) = result.resources
    assert course.identifier == f"{PAGE}#course"  # relative @id resolved against the page
    assert course.obj["@context"][1] == {"@language": "de"}
    assert course.obj["creator"]["name"] == "P"
    # the cycle course → creator → worksFor → course stops at the repeat
    assert course.obj["creator"]["worksFor"] == {"id": f"{PAGE}#course"}
    assert [o.identifier for o in result.others] == [f"{PAGE}#p1", f"{PAGE}#2"]


def test_references_across_blocks_and_duplicates_merged() -> None:
    result = extract_jsonld(
        html(
            '{"@type": "Book", "@id": "https://x/b", "name": "B", "author": {"@id": "https://x/a"}}',
            '{"@type": "Person", "@id": "https://x/a", "name": "A"}',
            '{"@type": "Book", "@id": "https://x/b", "inLanguage": "en", "name": "ignored"}',
            '{"@id": "https://x/a"}',
        ),
        PAGE,
    )
    (book,) = result.resources
    assert book.obj["author"]["name"] == "A"
    assert (book.obj["name"], book.obj["inLanguage"]) == ("B", "en")
    assert [p.code for p in result.problems] == ["duplicate_node"]
    assert [o.identifier for o in result.others] == ["https://x/a"]


def test_page_wrapping_its_main_entity_is_one_resource() -> None:
    result = extract_jsonld(
        html(
            '{"@type": "WebPage", "@id": "https://x/page", "mainEntity": {"@id": "https://x/c"}}',
            '{"@type": "Course", "@id": "https://x/c", "name": "C"}',
        ),
        PAGE,
    )
    (page,) = result.resources
    assert page.types == ("WebPage",) and page.identifier == "https://x/c"
    assert page.obj["mainEntity"]["name"] == "C"
    assert [o.types for o in result.others] == [("Course",)]


def test_page_without_resource_main_entity_is_other() -> None:
    result = extract_jsonld(html('{"@type": "WebPage", "name": "About us"}'), PAGE)
    assert result.resources == [] and len(result.others) == 1


def test_flatten_keeps_a_named_graph_that_describes_itself() -> None:
    nodes = flatten({"@id": "g", "name": "G", "@graph": [{"@id": "n"}]})
    assert nodes == [{"@id": "g", "name": "G"}, {"@id": "n"}]


# ---------------------------------------------------------------- never raises

_BLOCKS = st.one_of(
    st.text(max_size=40),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.sampled_from(["@id", "id", "@type", "@graph", "mainEntity", "name", "url"]),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=20,
    ).map(json.dumps),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BLOCKS, max_size=4), st.binary(max_size=30))
def test_extract_never_raises(blocks: list[str], junk: bytes) -> None:
    page = html(*(b.replace("</", "<\\/") for b in blocks)) + junk
    result = extract_jsonld(page, PAGE)
    for obj in result.objects:
        assert obj.identifier


def test_crosswalk_and_extractor_agree_on_resource_types() -> None:
    from harvesters import web
    from transforms.crosswalks import jsonld

    assert jsonld.RESOURCE_TYPES == web.RESOURCE_TYPES
    assert jsonld.PAGE_TYPES == web.PAGE_TYPES
