"""validate_xml without an XSD folder, and the input DataCite refuses before any schema check."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from portal.datacite.schema import UnknownVersion, validate_xml
from portal.datacite.schema.xmldoc import parse_xml
from tests.datacite.schema_samples import record_xml
from tests.datacite.test_schema_versioning import SCHEMA3


def test_schema3_is_no_longer_supported() -> None:
    problems = validate_xml(SCHEMA3)
    assert [(p.source, p.title) for p in problems] == [
        ("xml", "Schema http://datacite.org/schema/kernel-3 is no longer supported")]
    assert "kernel-4" in problems[0].hint and "fundingReferences" in problems[0].hint
    kernel22 = SCHEMA3.replace("kernel-3", "kernel-2.2")
    assert validate_xml(kernel22)[0].title == "Schema http://datacite.org/schema/kernel-2.2 is no longer supported"


def test_unescaped_ampersand() -> None:
    xml = record_xml().replace("An example", "Tom & Jerry")
    problem = validate_xml(xml)[0]
    assert problem.source == "xml"
    assert re.fullmatch(r"\[xml\] xmlParseEntityRef: no name at line 6, column \d+", problem.title)
    assert "&amp;" in problem.hint


@pytest.mark.parametrize("text", ["", "   ", "plain words", "<resource>", b"\xff\xfe<a/>"])
def test_not_xml_at_all(text: str | bytes) -> None:
    problems = validate_xml(text)
    assert len(problems) == 1 and problems[0].source == "xml" and problems[0].title.startswith("[xml] ")


def test_wrong_namespace() -> None:
    xml = record_xml().replace('xmlns="http://datacite.org/schema/kernel-4"', "")
    problem = validate_xml(xml)[0]
    assert problem.title.startswith("Element 'resource': No matching global declaration available for the validation root.")


def test_text_and_bytes_with_bom_or_encoding_declaration() -> None:
    xml = record_xml().replace("An example", "Ein Beispiel für Umlaute")
    assert validate_xml(xml) == []
    assert validate_xml("\ufeff" + xml) == []
    assert validate_xml(b"\xef\xbb\xbf" + xml.encode()) == []
    latin = xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    assert validate_xml(latin) == []
    assert validate_xml(latin.encode("latin-1")) == []


def test_external_entities_are_not_read() -> None:
    xml = record_xml().replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                               '<?xml version="1.0"?><!DOCTYPE resource [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    xml = xml.replace("An example", "&x;")
    assert "root:" not in etree.tostring(parse_xml(xml), encoding="unicode")
    assert all("root:" not in p.title for p in validate_xml(xml))


def test_built_in_checks_cover_the_mandatory_properties() -> None:
    xml = record_xml()
    xml = re.sub(r"<creators>.*?</creators>", "<creators/>", xml)
    xml = re.sub(r"<titles>.*?</titles>", "", xml)
    xml = xml.replace("<publisher>Example Repository</publisher>", "<publisher> </publisher>")
    xml = xml.replace("<publicationYear>2026", "<publicationYear>MMXXVI")
    xml = xml.replace(' resourceTypeGeneral="Dataset"', "")
    problems = validate_xml(xml)
    assert [p.source for p in problems] == ["creators", "titles", "publisher", "publicationYear", "types"]
    titles = [p.title for p in problems]
    assert titles[0].startswith("Missing child element(s). Expected is ( {http://datacite.org/schema/kernel-4}creator ).")
    assert titles[2].startswith("[facet 'minLength']")
    assert "The value 'MMXXVI' is not accepted by the pattern" in titles[3]
    assert titles[4].startswith("The attribute 'resourceTypeGeneral' is required but missing.")


def test_version_defaults_to_the_newest_and_is_checked() -> None:
    poster = record_xml(rtg="Poster")
    assert validate_xml(poster) == []
    assert validate_xml(poster, "4.6")[0].source == "types"
    with pytest.raises(UnknownVersion):
        validate_xml(poster, "4")
