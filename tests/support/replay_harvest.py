"""Serve recorded cassettes so that a whole `harvest_source` run can replay them.

`harvest_source` asks Identify first and then ListRecords with only a metadataPrefix. The
corpus records those exchanges differently: Zenodo's Identify sits in another cassette than
its ListRecords, and the scrapi cassettes hold no Identify and began their chains with a
from/until window. These helpers adapt how requests are *matched* (never the recorded
responses): interactions of several cassettes are merged, a window can be dropped from the
recorded requests, and an Identify answer of our own can be added for a base URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.cassettes import Interaction, ReplayServer, load_cassette, param_key

WINDOW_PARAMS = frozenset({"from", "until"})


def merged(*cassettes: Path | str) -> list[Interaction]:
    """The interactions of every cassette, in the order given (the first one's first
    interaction names the replay server's base URL)."""
    return [interaction for path in cassettes for interaction in load_cassette(path)]


def without_window(interactions: list[Interaction]) -> list[Interaction]:
    """The same interactions, matched as if their requests had carried no from/until."""
    return [
        replace(i, params=param_key([(k, v) for k, v in i.params if k not in WINDOW_PARAMS]))
        for i in interactions
    ]


def identify_for(original_base: str, repository_name: str = "replayed repository") -> Interaction:
    """An Identify answer of our own for `original_base` (the corpus has none for it)."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2016-01-01T00:00:00Z</responseDate>"
        f'<request verb="Identify">{original_base}</request>'
        f"<Identify><repositoryName>{repository_name}</repositoryName>"
        f"<baseURL>{original_base}</baseURL><protocolVersion>2.0</protocolVersion>"
        "<adminEmail>nobody@example.org</adminEmail>"
        "<earliestDatestamp>2000-01-01</earliestDatestamp>"
        "<deletedRecord>no</deletedRecord><granularity>YYYY-MM-DD</granularity>"
        "</Identify></OAI-PMH>"
    ).encode()
    return Interaction(
        method="GET",
        uri=f"{original_base}?verb=Identify",
        path=urlsplit(original_base).path or "/",
        params=(("verb", "Identify"),),
        status=200,
        reason="OK",
        headers=[("Content-Type", "text/xml; charset=utf-8")],
        body=body,
    )


@contextmanager
def replaying(interactions: list[Interaction]) -> Iterator[ReplayServer]:
    """A running replay server over `interactions` (for `.base_url` and `.requests`)."""
    with ReplayServer(list(interactions)) as server:
        yield server


def scrapi_chain(cassette: Path) -> list[Interaction]:
    """A scrapi cassette as a full harvest: its window dropped, an Identify added."""
    interactions = without_window(load_cassette(cassette))
    base = interactions[0].uri.split("?", 1)[0]
    return [*interactions, identify_for(base)]
