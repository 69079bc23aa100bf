import pytest

from transforms.identifiers import classify_identifier, isbn13


@pytest.mark.parametrize(
    ("raw", "scheme", "normalized"),
    [
        ("10.5281/zenodo.123", "doi", "10.5281/zenodo.123"),
        ("https://doi.org/10.1000/ABC", "doi", "10.1000/abc"),
        ("http://dx.doi.org/10.1000/abc%20d", "doi", "10.1000/abc d"),
        ("doi:10.5281/ZENODO.1", "doi", "10.5281/zenodo.1"),
        ("hdl:20.500.12345/678", "handle", "20.500.12345/678"),
        ("http://hdl.handle.net/2027/abc", "handle", "2027/abc"),
        ("978-3-16-148410-0", "isbn", "9783161484100"),
        ("ISBN 0-306-40615-2", "isbn", "9780306406157"),
        ("urn:NBN:de:hbz:464-123", "urn", "urn:nbn:de:hbz:464-123"),
        ("ISSN 2049-3630", "issn", "2049-3630"),
        ("https://example.org/oer/1", "url", "https://example.org/oer/1"),
        ("oai:zenodo.org:1", "oai", "oai:zenodo.org:1"),
        ("local-id-17", "other", None),
        ("978-3-16-148410-1", "other", None),  # bad ISBN checksum: not an ISBN
    ],
)
def test_identifier_schemes(raw: str, scheme: str, normalized: str | None) -> None:
    identifier = classify_identifier(raw)
    assert identifier["value"] == raw
    assert (identifier["scheme"], identifier["normalized"]) == (scheme, normalized)


def test_isbn10_converts_to_isbn13() -> None:
    assert isbn13("0306406152") == "9780306406157"
    assert isbn13("030640615X") is None
