"""Every registered crosswalk, on arbitrary well-formed input built from its own vocabulary,
returns a Record: a bad value becomes a record issue, never an exception.

The per-format test files hold sharper generators; this one covers every module in the
registry, so a crosswalk added later is held to the same rule without a new test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from transforms.crosswalks import CROSSWALKS, JsonItem, map_item, map_json_item
from transforms.model import Record

TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", " ", "2020-13-45", "PT", "10.1234/x", "http://x", "&lt;p&gt;x", "0000-0002-1825-0097"]
    ),
).map(lambda t: "".join(c for c in t if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF))
ATTRS = ["type", "lang", "authority", "encoding", "dateType", "titleType", "tag", "code",
         "ind1", "ind2", "usage", "access", "nameIdentifierScheme", "relationType"]  # fmt: skip


@dataclass
class Item:
    identifier: str
    datestamp: str
    metadata: etree._Element | None
    set_specs: list[str] = field(default_factory=list)
    deleted: bool = False
    raw: bytes = b"<record/>"


def _names(crosswalk) -> list[str]:
    names = {part for path in crosswalk.mapped | crosswalk.dropped for part in path.split("/")}
    return sorted(n for n in names if n and not n.startswith("@")) or ["x"]


@st.composite
def trees(draw, crosswalk) -> etree._Element:
    names = _names(crosswalk)
    namespace = crosswalk.namespaces[0] if crosswalk.namespaces else None
    root_name = crosswalk.root_names[0] if crosswalk.root_names else "metadata"

    def tag(name: str) -> str:
        return f"{{{namespace}}}{name}" if namespace and draw(st.booleans()) else name

    root = etree.Element(f"{{{namespace}}}{root_name}" if namespace else root_name)
    frontier = [root]
    for _ in range(draw(st.integers(0, 25))):
        parent = draw(st.sampled_from(frontier))
        el = etree.SubElement(parent, tag(draw(st.sampled_from(names))))
        el.text = draw(TEXT)
        for attr in draw(st.lists(st.sampled_from(ATTRS), max_size=2)):
            el.set(attr, draw(TEXT))
        frontier.append(el)
    return root


XML_CROSSWALKS = sorted(CROSSWALKS)


@pytest.mark.parametrize("name", XML_CROSSWALKS)
def test_xml_crosswalk_never_raises(name: str) -> None:
    crosswalk = CROSSWALKS[name]

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(trees(crosswalk))
    def check(root: etree._Element) -> None:
        record = map_item("s", name, Item("oai:x:1", "2024-01-01", root), "0" * 64)
        assert isinstance(record, Record) and record.content_hash

    check()


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "@id",
                    "id",
                    "type",
                    "name",
                    "description",
                    "creator",
                    "license",
                    "learningResourceType",
                    "inLanguage",
                    "@value",
                    "@language",
                    "prefLabel",
                    "url",
                    "encoding",
                    "contentUrl",
                    "audience",
                    "about",
                    "@graph",
                    "isPartOf",
                ]
            ),
            inner,
            max_size=6,
        ),
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["@type", "name", "author", "keywords"]), JSON) | JSON)
def test_jsonld_crosswalk_never_raises(obj) -> None:
    if not isinstance(obj, dict):
        obj = {"value": obj}
    record = map_json_item("s", "jsonld", JsonItem("https://x/1", "", obj, b"{}"), "0" * 64)
    assert isinstance(record, Record) and record.content_hash
