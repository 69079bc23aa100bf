"""DataCite crosswalk: Zenodo's kernel-4 records (golden), kernel versions, the oai_datacite
wrapper, quirks, coverage declarations, and a never-raises property test."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.support.corpus import corpus_path
from tests.support.golden import DATA, FixtureItem, assert_golden
from transforms.crosswalks import DECLARATIONS, crosswalk_for, map_item
from transforms.crosswalks import datacite as dc
from transforms.crosswalks.coverage import UNKNOWN, Tally
from transforms.model import Record

OAI = "{http://www.openarchives.org/OAI/2.0/}"
K4 = "http://datacite.org/schema/kernel-4"
GET_RECORD = ("zenodo-oaipmh-scythe", "extracted", "get_record", "02_GetRecord_datacite.xml")
LIST_RECORDS = ("zenodo-oaipmh-scythe", "extracted", "list_records", "05_ListRecords_datacite.xml")


def oai_items(path: Path) -> list[FixtureItem]:
    """The <record>s of an OAI-PMH response as harvested items.

    Not golden.fixture_items: it splits files at every `<?xml`, and Zenodo's responses carry
    an `<?xml-stylesheet?>` processing instruction after the declaration.
    """
    root = etree.parse(str(path)).getroot()
    items = []
    for rec in root.iter(f"{OAI}record"):
        header = rec.find(f"{OAI}header")
        assert header is not None
        metadata = rec.find(f"{OAI}metadata")
        items.append(
            FixtureItem(
                identifier=header.findtext(f"{OAI}identifier") or "",
                datestamp=header.findtext(f"{OAI}datestamp") or "",
                set_specs=[s.text or "" for s in header.findall(f"{OAI}setSpec")],
                deleted=header.get("status") == "deleted",
                metadata=metadata[0] if metadata is not None and len(metadata) else None,
                raw=etree.tostring(rec),
            )
        )
    return items


def map_corpus(*parts: str, tally: Tally | None = None) -> list[Record]:
    return [
        map_item("zenodo", "datacite", item, "0" * 64, tally)
        for item in oai_items(corpus_path(*parts))
    ]


def by_id(records: list[Record]) -> dict[str, Record]:
    return {r.oai_identifier: r for r in records}


def resource(body: str, ns: str | None = K4, **attrs: str) -> etree._Element:
    xmlns = f' xmlns="{ns}"' if ns is not None else ""
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return etree.fromstring(f"<resource{xmlns}{extra}>{body}</resource>")


def map_one(metadata: etree._Element, tally: Tally | None = None) -> Record:
    item = FixtureItem("oai:t:1", "2024-01-01", [], False, metadata, b"")
    return map_item("t", "datacite", item, "0" * 64, tally)


# ---------------------------------------------------------------- golden: Zenodo


def test_zenodo_get_record_golden() -> None:
    records = map_corpus(*GET_RECORD)
    assert_golden(records, DATA / "datacite" / "zenodo_get_record.json")


def test_zenodo_list_records_golden() -> None:
    records = map_corpus(*LIST_RECORDS)
    assert len(records) == 50
    assert_golden(records, DATA / "datacite" / "zenodo_list_records.json")


def test_zenodo_get_record_key_facts() -> None:
    (record,) = map_corpus(*GET_RECORD)
    assert record.crosswalk == "datacite"
    assert record.titles == [{"value": "Research Data Management Organiser (RDMO)", "lang": None}]
    assert record.creators[0] == {
        "name": "Klar, Jochen",
        "identifier": "https://orcid.org/0000-0002-5883-4273",
        "role": None,
        "affiliation": None,
        "affiliation_id": None,
    }
    # an ORCID ending in X, and a creator without any nameIdentifier
    assert record.creators[1]["identifier"] == "https://orcid.org/0000-0002-5282-703X"
    assert record.creators[6] == {
        "name": "Martínez Muñoz, David",
        "identifier": None,
        "role": None,
        "affiliation": None,
        "affiliation_id": None,
    }
    assert record.publishers == [
        {
            "name": "Zenodo",
            "identifier": None,
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert record.dates == [
        {"raw": "2023-12-11", "iso": "2023-12-11", "kind": "issued"},
        {"raw": "2023-12-11", "iso": "2023-12-11", "kind": "modified"},
    ]  # publicationYear 2023 is not added: an Issued date exists
    assert record.landing_page == "https://doi.org/10.5281/zenodo.10357859"
    assert [i["scheme"] for i in record.identifiers] == ["doi", "oai"]
    assert record.resource_types == ["Software"]
    assert record.learning_resource_types == []
    # URI first, then the text; the info:eu-repo access term as given
    assert record.rights == [
        "http://www.apache.org/licenses/LICENSE-2.0",
        "Apache License 2.0",
        "info:eu-repo/semantics/openAccess",
    ]
    assert [(r["kind"], r["scheme"]) for r in record.related] == [
        ("isSupplementTo", "url"),
        ("isVersionOf", "doi"),
        ("isPartOf", "url"),
    ]
    assert record.descriptions[0]["value"].startswith("RDMO 2.1.0 (Dec 11, 2023)\nRefactor")
    assert record.descriptions[1]["value"].startswith("If you refer to this software")
    assert record.issues == []


def test_zenodo_list_records_key_facts() -> None:
    records = by_id(map_corpus(*LIST_RECORDS))
    assert all(r.titles for r in records.values())
    assert all(
        r.landing_page and r.landing_page.startswith("https://doi.org/10.")
        for r in records.values()
    )
    assert not [i for r in records.values() for i in r.issues if i["severity"] != "info"]

    funded = records["oai:zenodo.org:8435639"]
    assert funded.funders == [
        {
            "name": "European Commission",
            "identifier": "https://ror.org/00k4n6c32",
            "award": "864300",
        }
    ]
    assert funded.languages == ["eng"]
    assert funded.subjects[0] == {"value": "Flexibility services", "lang": None}

    thesis = records["oai:zenodo.org:8435907"]
    assert [(c["name"], c["role"]) for c in thesis.contributors] == [
        ("Hasselbring, Wilhelm", "Supervisor"),
        ("Krause-Glau, Alexander", "Supervisor"),
    ]
    assert thesis.rights[0] == "http://www.apache.org/licenses/LICENSE-2.0"

    cjk = records["oai:zenodo.org:8434828"]
    assert cjk.descriptions == [
        {
            "value": "数据文件用于将论文提交给JGR。相关详细信息可在随附的自述文件中找到。",
            "lang": None,
        }
    ]
    assert cjk.creators == [
        {
            "name": "Yunbo Liu",
            "identifier": None,
            "role": None,
            "affiliation": "IGGCAS",
            "affiliation_id": None,
        }
    ]

    dryad = records["oai:zenodo.org:8433037"]  # a Dryad DOI, CC0
    assert dryad.landing_page == "https://doi.org/10.5061/dryad.cz8w9gj8q"
    assert dryad.rights == [
        "https://creativecommons.org/publicdomain/zero/1.0/legalcode",
        "Creative Commons Zero v1.0 Universal",
        "info:eu-repo/semantics/openAccess",
    ]
    assert [c["name"] for c in dryad.creators][-1] == "Cubey, Robert"

    presentation = records["oai:zenodo.org:8435818"]
    assert presentation.resource_types == ["Presentation", "Text"]
    assert presentation.learning_resource_types == []  # a conference talk: not an LRT

    video = records["oai:zenodo.org:8435168"]
    assert video.resource_types == ["Audiovisual"]
    assert [t["raw"] for t in video.learning_resource_types] == ["Audiovisual"]

    figure = records["oai:zenodo.org:8437103"]
    assert figure.resource_types == ["Figure", "Image"]
    assert figure.learning_resource_types == []


def test_zenodo_records_have_no_unknown_paths() -> None:
    tally = Tally()
    map_corpus(*GET_RECORD, tally=tally)
    map_corpus(*LIST_RECORDS, tally=tally)
    rows = tally.rows(DECLARATIONS)
    assert [r["path"] for r in rows if r["status"] == UNKNOWN] == []
    dropped = {r["path"] for r in rows if r["status"] == "dropped"}
    assert dropped == {"version"}  # affiliations are mapped since Agent has them


# ---------------------------------------------------------------- kernel versions, wrapper


KERNEL_2_2 = """
<identifier identifierType="DOI">10.5072/K2.TEST</identifier>
<creators><creator><creatorName>Smith, Jane</creatorName>
  <nameIdentifier nameIdentifierScheme="ISNI">0000 0001 2103 4996</nameIdentifier>
</creator></creators>
<titles><title titleType="Subtitle">A subtitle</title><title>Main title</title></titles>
<publisher>Example Data Centre</publisher>
<publicationYear>2011</publicationYear>
<contributors>
  <contributor contributorType="Funder"><contributorName>Example Foundation</contributorName>
    <nameIdentifier nameIdentifierScheme="FundRef">100000001</nameIdentifier></contributor>
  <contributor contributorType="ContactPerson"><contributorName>Doe, John</contributorName>
  </contributor>
</contributors>
<resourceType resourceTypeGeneral="Film">Lecture recording</resourceType>
<sizes><size>2 GB</size></sizes>
<rights>Open for all</rights>
<geoLocations><geoLocation><geoLocationPoint>31.2 67.1</geoLocationPoint>
  <geoLocationPlace>Atlantic Ocean</geoLocationPlace></geoLocation></geoLocations>
"""


def test_kernel_2_2_record() -> None:
    record = map_one(resource(KERNEL_2_2, "http://datacite.org/schema/kernel-2.2"))
    assert record.crosswalk == "datacite"
    assert [t["value"] for t in record.titles] == ["Main title", "A subtitle"]  # main first
    assert record.creators == [
        {
            "name": "Smith, Jane",
            "identifier": "https://isni.org/isni/0000000121034996",
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    # kernel-2/3 name funders as contributors of type Funder
    assert record.funders == [
        {
            "name": "Example Foundation",
            "identifier": "https://doi.org/10.13039/100000001",
            "award": None,
        }
    ]
    assert record.contributors == [
        {
            "name": "Doe, John",
            "identifier": None,
            "role": "ContactPerson",
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert record.dates == [{"raw": "2011", "iso": "2011", "kind": "issued"}]
    assert record.resource_types == ["Lecture recording", "Film"]
    assert [t["raw"] for t in record.learning_resource_types] == ["Lecture recording", "Film"]
    assert record.rights == ["Open for all"]
    assert record.coverage == ["Atlantic Ocean"]
    assert record.landing_page == "https://doi.org/10.5072/K2.TEST"
    assert record.issues == []


def test_every_kernel_namespace_and_oai_datacite_is_registered() -> None:
    for version in ("2", "2.1", "2.2", "3", "4", "4.5", "5"):
        ns = f"http://datacite.org/schema/kernel-{version}"
        assert dc.is_datacite_namespace(ns)
        cw, by_name = crosswalk_for(resource("", ns))
        assert cw is not None and cw.name == "datacite" and not by_name
    for ns in (
        "http://schema.datacite.org/oai/oai-1.0/",
        "http://schema.datacite.org/oai/oai-1.1/",
    ):
        cw, by_name = crosswalk_for(etree.fromstring(f'<oai_datacite xmlns="{ns}"/>'))
        assert cw is not None and cw.name == "datacite" and not by_name


def test_oai_datacite_wrapper_is_unwrapped() -> None:
    wrapper = etree.fromstring(
        '<oai_datacite xmlns="http://schema.datacite.org/oai/oai-1.1/">'
        "<isReferenceQuality>true</isReferenceQuality><schemaVersion>4.3</schemaVersion>"
        "<datacentreSymbol>CERN.ZENODO</datacentreSymbol><payload>"
        f'<resource xmlns="{K4}"><identifier identifierType="DOI">10.5072/W</identifier>'
        "<titles><title>Wrapped</title></titles><publicationYear>2020</publicationYear>"
        "</resource></payload></oai_datacite>"
    )
    tally = Tally()
    record = map_one(wrapper, tally)
    assert record.titles == [{"value": "Wrapped", "lang": None}]
    assert record.landing_page == "https://doi.org/10.5072/W"
    assert record.dates == [{"raw": "2020", "iso": "2020", "kind": "issued"}]
    statuses = {r["path"]: r["status"] for r in tally.rows(DECLARATIONS)}
    assert statuses["payload/resource/titles/title"] == "mapped"
    assert statuses["datacentreSymbol"] == statuses["schemaVersion"] == "dropped"
    assert UNKNOWN not in statuses.values()


def test_oai_datacite_without_payload_is_an_issue_not_an_error() -> None:
    wrapper = etree.fromstring(
        '<oai_datacite xmlns="http://schema.datacite.org/oai/oai-1.0/"><schemaVersion>2.2'
        "</schemaVersion></oai_datacite>"
    )
    record = map_one(wrapper)
    assert {i["code"] for i in record.issues} == {"missing_payload", "missing_title"}


def test_resource_without_namespace_maps_by_root_name() -> None:
    record = map_one(resource("<titles><title>No namespace</title></titles>", ns=None))
    assert record.crosswalk == "datacite"
    assert record.titles == [{"value": "No namespace", "lang": None}]
    assert [i["code"] for i in record.issues] == ["nonstandard_namespace"]


def test_children_in_another_namespace_are_flagged() -> None:
    metadata = etree.fromstring(
        f'<resource xmlns="{K4}"><titles xmlns="urn:x"><title>T</title></titles></resource>'
    )
    record = map_one(metadata)
    assert record.titles == [{"value": "T", "lang": None}]
    assert [i["code"] for i in record.issues] == ["nonstandard_namespace"]


# ---------------------------------------------------------------- element details


def test_wrapper_less_items_empty_elements_and_comments() -> None:
    record = map_one(
        resource(
            "<title/><title>  </title><!-- c --><creator><creatorName/><givenName>Ana</givenName>"
            "<familyName>Ruiz</familyName></creator><creator/><date dateType='Created'/>"
            "<subjects/><rightsList><rights/></rightsList><title xml:lang='es'>Hola</title>"
        )
    )
    assert record.titles == [{"value": "Hola", "lang": "es"}]
    assert record.creators == [
        {
            "name": "Ruiz, Ana",
            "identifier": None,
            "role": None,
            "affiliation": None,
            "affiliation_id": None,
        }
    ]
    assert (record.dates, record.subjects, record.rights) == ([], [], [])
    assert record.issues == []


def test_dates_kinds_and_ranges() -> None:
    record = map_one(
        resource(
            "<dates><date dateType='Collected'>2019-01-01/2019-06-30</date>"
            "<date dateType='Valid'>2020/</date><date dateType='Updated'>2021-02-03</date>"
            "<date dateType='Available'>03/04/2021</date><date>2022</date></dates>"
            "<publicationYear>2018</publicationYear>"
        )
    )
    assert record.dates == [
        {"raw": "2019-01-01/2019-06-30", "iso": "2019-01-01/2019-06-30", "kind": "collected"},
        {"raw": "2020/", "iso": "2020/..", "kind": "valid"},
        {"raw": "2021-02-03", "iso": "2021-02-03", "kind": "modified"},
        {"raw": "03/04/2021", "iso": None, "kind": "available"},
        {"raw": "2022", "iso": "2022", "kind": None},
        {"raw": "2018", "iso": "2018", "kind": "issued"},
    ]
    assert [i["code"] for i in record.issues] == ["unparsable_date", "missing_title"]


def test_subjects_become_classifications_when_coded() -> None:
    record = map_one(
        resource(
            "<subjects><subject xml:lang='en'>biology</subject>"
            "<subject subjectScheme='keyword'>cells</subject>"
            "<subject subjectScheme='DDC' classificationCode='570'>Life sciences</subject>"
            "<subject subjectScheme='FOS' schemeURI='http://www.oecd.org/science/inno/'"
            " valueURI='http://example.org/fos/1.6'>Biological sciences</subject></subjects>"
        )
    )
    assert [s["value"] for s in record.subjects] == [
        "biology",
        "cells",
        "Life sciences",
        "Biological sciences",
    ]
    assert record.classifications == [
        {"raw": "570", "scheme": "DDC", "uri": None, "label": "Life sciences"},
        {
            "raw": "Biological sciences",
            "scheme": "FOS",
            "uri": "http://example.org/fos/1.6",
            "label": "Biological sciences",
        },
    ]


def test_descriptions_abstract_first_with_line_breaks_and_hygiene() -> None:
    record = map_one(
        resource(
            "<descriptions><description descriptionType='Other'>Other notes</description>"
            "<description descriptionType='Abstract' xml:lang='en'>Line one<br/>line<!-- c --> two"
            "</description><description descriptionType='Methods'>&amp;lt;p&amp;gt;We "
            "measured.&amp;lt;/p&amp;gt;</description></descriptions>"
        )
    )
    assert record.descriptions == [
        {"value": "Line one\nline two", "lang": "en"},
        {"value": "Other notes", "lang": None},
        {"value": "We measured.", "lang": None},
    ]
    assert record.originals == [
        {"field": "descriptions", "index": 2, "value": "&lt;p&gt;We measured.&lt;/p&gt;"}
    ]


def test_identifiers_landing_pages_and_name_identifiers() -> None:
    record = map_one(
        resource(
            "<alternateIdentifiers><alternateIdentifier alternateIdentifierType='URL'>"
            "https://data.example.org/item/9</alternateIdentifier></alternateIdentifiers>"
            "<identifier identifierType='DOI'>https://doi.org/10.5072/ABC</identifier>"
            "<creators><creator><creatorName nameType='Organizational'>Lab</creatorName>"
            "<nameIdentifier nameIdentifierScheme='Other'>x-1</nameIdentifier>"
            "<nameIdentifier nameIdentifierScheme='ROR' schemeURI='https://ror.org/'>"
            "02mhbdp94</nameIdentifier></creator><creator><creatorName>Roe, R</creatorName>"
            "<nameIdentifier nameIdentifierScheme='GND' schemeURI='http://d-nb.info/gnd/'>"
            "118540238</nameIdentifier></creator></creators>"
            "<publisher publisherIdentifier='https://ror.org/04wxnsj81'"
            " publisherIdentifierScheme='ROR'>DataCite</publisher>"
        )
    )
    assert record.landing_page == "https://doi.org/10.5072/ABC"  # the DOI, not the earlier URL
    assert [i["scheme"] for i in record.identifiers] == ["doi", "url"]
    assert [c["identifier"] for c in record.creators] == [
        "https://ror.org/02mhbdp94",
        "https://d-nb.info/gnd/118540238",
    ]
    assert record.publishers[0]["identifier"] == "https://ror.org/04wxnsj81"


def test_handle_identifier_and_alternate_url_landing_pages() -> None:
    record = map_one(
        resource("<identifier identifierType='Handle'>11858/00-1735-0000</identifier>")
    )
    assert record.landing_page == "https://hdl.handle.net/11858/00-1735-0000"
    record = map_one(
        resource(
            "<identifier identifierType='ARK'>ark:/12345/x1</identifier><alternateIdentifiers>"
            "<alternateIdentifier alternateIdentifierType='URL'>https://x.example/1"
            "</alternateIdentifier></alternateIdentifiers>"
        )
    )
    assert record.landing_page == "https://x.example/1"


def test_funding_references_and_related_items() -> None:
    record = map_one(
        resource(
            "<fundingReferences><fundingReference><funderName>NSF</funderName>"
            "<funderIdentifier funderIdentifierType='Crossref Funder ID'>"
            "https://doi.org/10.13039/100000001</funderIdentifier>"
            "<awardNumber awardURI='https://nsf.example/award/1'/>"
            "<awardTitle>Big award</awardTitle></fundingReference>"
            "<fundingReference><funderName>Wellcome</funderName>"
            "<funderIdentifier funderIdentifierType='ISNI'>0000 0004 0427 1414</funderIdentifier>"
            "<awardTitle>Only a title</awardTitle></fundingReference>"
            "<fundingReference/></fundingReferences>"
            "<relatedItems><relatedItem relationType='IsPublishedIn' relatedItemType='Journal'>"
            "<relatedItemIdentifier relatedItemIdentifierType='ISSN'>0028-0836"
            "</relatedItemIdentifier><titles><title>Nature</title></titles><volume>1</volume>"
            "</relatedItem><relatedItem relationType='IsPartOf' relatedItemType='Book'>"
            "<titles><title>Collected essays</title></titles></relatedItem></relatedItems>"
            "<relatedIdentifiers><relatedIdentifier relatedIdentifierType='PMID'"
            " relationType='IsCitedBy'>12345678</relatedIdentifier>"
            "<relatedIdentifier>https://x.example/rel</relatedIdentifier></relatedIdentifiers>"
        )
    )
    assert record.funders == [
        {
            "name": "NSF",
            "identifier": "https://doi.org/10.13039/100000001",
            "award": "https://nsf.example/award/1",
        },
        {
            "name": "Wellcome",
            "identifier": "https://isni.org/isni/0000000404271414",
            "award": "Only a title",
        },
    ]
    assert [(r["kind"], r["target"], r["scheme"]) for r in record.related] == [
        ("isPublishedIn", "0028-0836", "issn"),
        ("isPartOf", "Collected essays", "other"),
        ("isCitedBy", "12345678", "pmid"),
        ("relation", "https://x.example/rel", "url"),
    ]


def test_resource_types_and_learning_resource_types() -> None:
    def types(general: str, text: str = "") -> tuple[list[str], list[str]]:
        rec = map_one(
            resource(f"<resourceType resourceTypeGeneral='{general}'>{text}</resourceType>")
        )
        return rec.resource_types, [t["raw"] for t in rec.learning_resource_types]

    assert types("InteractiveResource", "Simulation") == (
        ["Simulation", "InteractiveResource"],
        ["Simulation", "InteractiveResource"],
    )
    assert types("Text", "Lesson plan") == (["Lesson plan", "Text"], ["Lesson plan"])
    assert types("Text") == (["Text"], [])
    assert types("Dataset", "Survey data") == (["Survey data", "Dataset"], [])
    assert types("Image", "Figure") == (["Figure", "Image"], [])


def test_rights_uri_text_and_identifier_fallback() -> None:
    record = map_one(
        resource(
            "<rightsList><rights rightsURI='https://creativecommons.org/licenses/by/4.0/'"
            " rightsIdentifier='CC-BY-4.0' rightsIdentifierScheme='SPDX'>CC BY 4.0</rights>"
            "<rights rightsIdentifier='MIT' rightsIdentifierScheme='SPDX'/>"
            "<rights>info:eu-repo/semantics/embargoedAccess</rights></rightsList>"
        )
    )
    assert record.rights == [
        "https://creativecommons.org/licenses/by/4.0/",
        "CC BY 4.0",
        "MIT",
        "info:eu-repo/semantics/embargoedAccess",
    ]


def test_declarations_cover_what_the_crosswalk_reads() -> None:
    mapped = (
        "creators/creator/nameIdentifier",
        "fundingReferences/fundingReference/awardTitle",
        "relatedItems/relatedItem/relatedItemIdentifier",
        "payload/resource/dates/date",
        "geoLocations/geoLocation/geoLocationPlace",
        "publicationYear",
        "rights",
    )
    mapped += ("creators/creator/affiliation", "contributors/contributor/affiliation")
    dropped = (
        "sizes",
        "version",
        "relatedItems/relatedItem/volume",
        "geoLocations/geoLocation/geoLocationBox",
        "datacentreSymbol",
    )
    assert [p for p in mapped if p not in dc.MAPPED] == []
    assert [p for p in dropped if p not in dc.DROPPED] == []
    assert not dc.MAPPED & dc.DROPPED


# ---------------------------------------------------------------- never raises

_NAMES = sorted(
    {p.rpartition("/")[2] for p in dc.MAPPED | dc.DROPPED}
    | {"resource", "br", "pointLatitude", "unknownThing"}
)
_ATTRS = [
    "identifierType", "titleType", "dateType", "contributorType", "resourceTypeGeneral",
    "relationType", "relatedIdentifierType", "nameIdentifierScheme", "schemeURI", "rightsURI",
    "rightsIdentifier", "subjectScheme", "valueURI", "classificationCode", "descriptionType",
    "funderIdentifierType", "awardURI", "publisherIdentifier", "publisherIdentifierScheme",
    "relatedItemIdentifierType", "nameType",
]  # fmt: skip
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("/&<>;:- 0123456789"),
    max_size=30,
)


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    name = draw(st.sampled_from(_NAMES))
    ns = draw(st.sampled_from([K4, "http://datacite.org/schema/kernel-3", "", "urn:odd"]))
    el = etree.Element(f"{{{ns}}}{name}" if ns else name)
    for attr in draw(st.lists(st.sampled_from(_ATTRS), max_size=3, unique=True)):
        el.set(attr, draw(_TEXT))
    if draw(st.booleans()):
        el.set("{http://www.w3.org/XML/1998/namespace}lang", draw(_TEXT))
    el.text = draw(_TEXT)
    if depth < 2:
        for c in draw(st.lists(trees(depth + 1), max_size=3)):
            el.append(c)
            c.tail = draw(_TEXT)
    if draw(st.booleans()):  # comments and processing instructions among the elements
        el.insert(draw(st.integers(0, len(el))), etree.Comment(" note "))
        el.append(etree.ProcessingInstruction("pi", "x"))
    return el


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.lists(trees(), max_size=8),
    wrapped=st.booleans(),
    root_ns=st.sampled_from([K4, "http://datacite.org/schema/kernel-2.2", None]),
)
def test_map_item_never_raises(
    body: list[etree._Element], wrapped: bool, root_ns: str | None
) -> None:
    root = resource("", root_ns)
    for el in body:
        root.append(el)
    metadata = root
    if wrapped:
        metadata = etree.Element("{http://schema.datacite.org/oai/oai-1.1/}oai_datacite")
        etree.SubElement(metadata, "{http://schema.datacite.org/oai/oai-1.1/}payload").append(root)
    record = map_one(metadata, Tally())
    assert record.crosswalk == "datacite"
    assert len(record.content_hash) == 64
