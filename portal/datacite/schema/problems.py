"""The Problem record and the exact wordings DataCite (lupo, libxml2) uses for refused metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.datacite.schema.catalog import NAMESPACE


@dataclass(frozen=True)
class Problem:
    """One reason DataCite would refuse the metadata: where, DataCite's words, and a fix in plain language."""

    source: str
    title: str
    hint: str = ""


def ruby_inspect(value: Any) -> str:
    """A value written the way lupo interpolates it into messages (Ruby's to_s of JSON data)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _inspect(value)


def _inspect(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_inspect(k)}=>{_inspect(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inspect(v) for v in value) + "]"
    return str(value)


def object_expected(label: str, value: Any) -> str:
    """lupo's text for a string (or other scalar) where a JSON object belongs."""
    if label == "Date":  # lupo quotes every other label's value, not this one
        return f"Date {ruby_inspect(value)} should be an object instead of a string."
    return f"{label} '{ruby_inspect(value)}' should be an object instead of a string."


def enumeration(value: str, allowed: tuple[str, ...]) -> str:
    """libxml2's text for a value outside an XSD enumeration."""
    listed = ", ".join(f"'{v}'" for v in allowed)
    return f"[facet 'enumeration'] The value '{value}' is not an element of the set {{{listed}}}."


def missing_child(element: str) -> str:
    """libxml2's text for a wrapper element without its required child."""
    return f"Missing child element(s). Expected is ( {{{NAMESPACE}}}{element} )."


def required_attribute(attribute: str) -> str:
    """libxml2's text for a required attribute that is absent."""
    return f"The attribute '{attribute}' is required but missing."


def attribute_not_allowed(attribute: str) -> str:
    """libxml2's text for an attribute the schema version does not define."""
    return f"The attribute '{attribute}' is not allowed."


def element_not_expected() -> str:
    """libxml2's text for an element the schema version does not define."""
    return "This element is not expected."


def too_short(value: str = "") -> str:
    """libxml2's text for an empty value where at least one character is required."""
    return f"[facet 'minLength'] The value has a length of '{len(value)}'; this underruns the allowed minimum length of '1'."


def year_pattern(value: str) -> str:
    """libxml2's text for a publicationYear that is not four digits."""
    return f"[facet 'pattern'] The value '{value}' is not accepted by the pattern '[\\d]{{4}}'."


CANT_BE_BLANK = "Can't be blank"
URL_NOT_VALID = "URL is not valid"
DOI_INVALID = "Is invalid"
CONTRIBUTOR_NAME_MISSING = "A contributor is missing a required element: name."
RIGHTS_TOO_LONG = "Rights should not have a length of more than 2000 characters."


def contributor_type_missing(contributor: Any) -> str:
    """lupo's text for a contributor without contributorType."""
    return f"Contributor '{ruby_inspect(contributor)}' is missing a required element: contributor type."


def contributor_type_unsupported(contributor: Any, value: str) -> str:
    """lupo's text for a contributorType that schema 4 does not know (Funder above all)."""
    return f"Contributor '{ruby_inspect(contributor)}' has a contributor type that is not supported in schema 4: '{value}'."


def language_invalid(value: Any) -> str:
    """lupo's text for a language that is not a BCP 47 shaped tag."""
    return f"Language {ruby_inspect(value)} is in an invalid format."


def schema_no_longer_supported(namespace: str) -> str:
    """DataCite's text for kernel-2.x and kernel-3 XML."""
    return f"Schema {namespace} is no longer supported"
