"""What DataCite would refuse in a DataCite XML record: syntax, retired schemas, then XSD or built-in checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from portal.datacite.schema import hints
from portal.datacite.schema import problems as say
from portal.datacite.schema.catalog import LATEST, allowed_values, check_version, ordered_values, version_key
from portal.datacite.schema.problems import Problem
from portal.datacite.schema.rules import source_rank
from portal.datacite.schema.xml_usage import REST_SOURCE, xml_feature_uses, xml_value_uses
from portal.datacite.schema.xmldoc import (
    XmlUnreadable,
    children,
    is_kernel4,
    is_retired_namespace,
    local_name,
    namespace_of,
    parse_xml,
)
from portal.datacite.schema.xsd import xsd_problems

_YEAR = re.compile(r"^\d{4}$")


def validate_xml(xml: str | bytes, version: str | None = None, xsd_dir: Path | None = None) -> list[Problem]:
    """The problems DataCite would report for a DataCite XML record, one per source.

    ``version`` picks the XSD to check against (default: the newest, as DataCite does for kernel-4).
    With ``xsd_dir`` (a folder holding kernel-4.X/metadata.xsd) libxml2 validates against the official
    XSD; without it, built-in checks cover the mandatory properties, controlled values and versioned
    features. Titles omit DataCite's "DOI <doi>: " prefix; callers that know the DOI may add it.
    Raises UnknownVersion for a bad version and XsdMissing when xsd_dir lacks that version's XSD.
    """
    target = check_version(version) if version is not None else LATEST
    try:
        root = parse_xml(xml)
    except XmlUnreadable as exc:
        return [Problem("xml", f"[xml] {exc.message} at line {exc.line}, column {exc.column}", hints.XML_SYNTAX)]
    namespace = namespace_of(root)
    if is_retired_namespace(namespace):
        return [Problem("xml", say.schema_no_longer_supported(namespace), hints.SCHEMA3)]
    if not is_kernel4(root):
        shown = f"{{{namespace}}}{local_name(root)}" if namespace else local_name(root)
        title = f"Element '{shown}': No matching global declaration available for the validation root."
        return [Problem("xml", f"{title} at line {root.sourceline or 1}, column 0", hints.XML_NAMESPACE)]
    if xsd_dir is not None:
        found = xsd_problems(root, target, Path(xsd_dir))
    else:
        found = builtin_problems(root, target)
    return sorted(found, key=lambda p: source_rank(p.source))


def _at(title: str, node: etree._Element) -> str:
    return f"{title} at line {node.sourceline or 0}, column 0"


def _text(node: etree._Element | None) -> str:
    return "".join(node.itertext()).strip() if node is not None else ""


def builtin_problems(root: etree._Element, version: str) -> list[Problem]:
    """Checks that need no XSD: mandatory properties, publicationYear, controlled values, newer features."""
    found: dict[str, Problem] = {}

    def add(problem: Problem) -> None:
        found.setdefault(problem.source, problem)

    _mandatory(root, add)
    for feature in xml_feature_uses(root):
        if version_key(feature.version) > version_key(version):
            title = say.attribute_not_allowed(feature.attribute) if feature.attribute else say.element_not_expected()
            add(Problem(feature.source, f"{title} at line {feature.line}, column 0",
                        hints.feature_hint(feature.feature, feature.version, version)))
    for use in xml_value_uses(root):
        allowed = allowed_values(use.list_name, version)
        if allowed and use.value not in allowed:
            title = say.enumeration(use.value, ordered_values(use.list_name, version))
            add(Problem(use.source, f"{title} at line {use.line}, column 0",
                        hints.controlled_value_hint(use.list_name, use.value, version)))
    return list(found.values())


def _mandatory(root: etree._Element, add: Callable[[Problem], None]) -> None:
    top = {local_name(c): c for c in children(root)}
    for name, child in (("identifier", None), ("creators", "creator"), ("titles", "title"), ("publisher", None),
                        ("publicationYear", None), ("resourceType", None)):
        source = REST_SOURCE[name]
        node = top.get(name)
        if node is None:
            add(Problem(source, _at(say.missing_child(name), root), hints.MISSING.get(source, hints.BLANK)))
        elif child is not None and not children(node, child):
            add(Problem(source, _at(say.missing_child(child), node), hints.MISSING[source]))
        elif name == "publicationYear" and not _text(node):
            add(Problem(source, _at(say.year_pattern(""), node), hints.YEAR))
        elif child is None and name != "resourceType" and not _text(node):
            add(Problem(source, _at(say.too_short(), node), hints.MISSING.get(source, hints.BLANK)))
    for creator in children(top["creators"], "creator") if "creators" in top else []:
        if not _text(next(iter(children(creator, "creatorName")), None)):
            add(Problem("creators", _at(say.missing_child("creatorName"), creator), hints.NAME))
    year = top.get("publicationYear")
    if year is not None and _text(year) and not _YEAR.match(_text(year)):
        add(Problem("publicationYear", _at(say.year_pattern(_text(year)), year), hints.YEAR))
    resource_type = top.get("resourceType")
    if resource_type is not None and resource_type.get("resourceTypeGeneral") is None:
        add(Problem("types", _at(say.required_attribute("resourceTypeGeneral"), resource_type), hints.MISSING["types"]))
