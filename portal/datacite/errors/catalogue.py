"""The catalogue of DataCite's common failures: stable key, error class, how to recognise it, what to do.

The keys are shared with the troubleshooting articles (``docs_content/troubleshooting/<key>.md``) and the
helpdesk's canned answers, so they never change once published. Explanations and fixes are our own words,
written for members and agents; titles are matched as DataCite writes them, with DOIs, URLs and line
numbers left free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ERROR_CLASSES = (
    "auth", "permission", "duplicate", "url_domain", "validation", "schema3", "xml_parse",
    "rate_limit", "outage", "not_found", "method_not_allowed", "precondition",
)


@dataclass(frozen=True)
class FailureMode:
    """One recognisable DataCite failure with our explanation and fix."""

    key: str
    error_class: str
    title_pattern: re.Pattern[str]
    explanation: str
    fix: str
    article: str
    summary: str = ""
    status: int | None = None


def _mode(key: str, error_class: str, status: int | None, summary: str, patterns: list[str],
          explanation: str, fix: str) -> FailureMode:
    pattern = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return FailureMode(key=key, error_class=error_class, title_pattern=pattern, explanation=explanation,
                       fix=fix, article=f"/docs/troubleshooting/{key}", summary=summary, status=status)


_CATALOGUE = [
    _mode(
        "bad-credentials", "auth", 401, "DataCite did not accept the credentials",
        [r"\bBad credentials\b", r"An Authentication object was not found in the SecurityContext",
         r"Wrong account ID or password", r"Missing account ID or password"],
        "DataCite did not accept the repository ID and password (or API key) sent with the request. "
        "The usual causes are credentials for the test system used against production or the other way "
        "round (they are separate accounts with separate passwords), a member ID used where the repository "
        "ID (MEMBER.REPOSITORY) is needed, or a password changed in Fabrica but not in the integration. "
        "When a DOI is created with a wrong password DataCite answers 404 instead of 401.",
        "Check which DataCite system the integration calls: api.test.datacite.org belongs with "
        "doi.test.datacite.org, api.datacite.org with doi.datacite.org. Sign in to the matching Fabrica with "
        "the same repository ID and password. If that fails too, set a new password in Fabrica or create an "
        "API key, and save it in the portal.",
    ),
    _mode(
        "not-authorized", "permission", 403, "The repository may not change this DOI",
        [r"You are not authorized to access this resource", r"\bAccess is denied\b"],
        "DataCite recognised the credentials, but this repository may not act on this DOI: the DOI's prefix "
        "is not assigned to the repository, the DOI belongs to another repository, or the repository has been "
        "deactivated and is read-only.",
        "Compare the DOI's prefix with the prefixes listed for the repository in Fabrica and register only "
        "under those. Change a DOI with the credentials of the repository that owns it. If the repository was "
        "deactivated, ask the member's DataCite contact to reactivate it.",
    ),
    _mode(
        "doi-already-taken", "duplicate", 422, "The DOI exists already",
        [r"This DOI has already been taken", r"The resource already exists"],
        "A DOI with this name exists already. Most often an earlier attempt succeeded (for example a create "
        "that timed out and was sent again), or a draft with this name was made before.",
        "Look the DOI up first. If it belongs to the same repository, update it instead of creating it again; "
        "if it belongs to someone else, choose another suffix. Random suffixes avoid collisions.",
    ),
    _mode(
        "url-domain-not-allowed", "url_domain", 422, "The landing page's domain is not allowed",
        [r"URL \S+ is not allowed by repository \S+ domain settings", r"domain of URL is not allowed"],
        "The host of the landing-page URL is not in the repository's list of allowed domains. DataCite "
        "checks the URL whenever a DOI is registered or findable.",
        "Correct the URL, or add its host to the repository's domain list in Fabrica (repository settings, "
        "Domains). An entry like *.example.org covers the subdomains but not example.org itself; * allows "
        "any host.",
    ),
    _mode(
        "missing-mandatory-property", "validation", 422, "A required property is missing",
        [r"Missing child element\(s\)", r"\bCan'?t be blank\b", r"This element is not expected"],
        "The metadata lacks something DataCite requires before a DOI can be registered or findable: one of "
        "the mandatory properties (identifier, creator, title, publisher, publication year, resource type "
        "general), the landing-page URL, or the metadata as a whole; or an element is out of place. Drafts "
        "are not checked, which is why this shows up only when publishing.",
        "Read the element named after 'Expected is' (or the field before 'Can't be blank') and supply it. "
        "Send all mandatory properties in the order the schema defines, and validate the metadata before "
        "registering.",
    ),
    _mode(
        "empty-value", "validation", 422, "A value is empty",
        [r"\[facet 'minLength'\]", r"has a length of '0'"],
        "An element or attribute is present but empty, for example a contributor with no name or an empty "
        "name identifier. The schema requires at least one character wherever a value is given.",
        "Leave out elements that have no value instead of sending them empty, and make compound fields "
        "(a name with its identifier, a date with its type) required as a whole in the form that collects them.",
    ),
    _mode(
        "invalid-value", "validation", 422, "A value is not allowed",
        [r"\[facet '(?:pattern|enumeration|maxLength|minInclusive|maxInclusive|length)'\]",
         r"is not an element of the set", r"is not accepted by the pattern",
         r"is not a valid value of the atomic type", r"\bURL is not valid\b", r"is in an invalid format"],
        "A value does not have a form the schema allows: a publication year that is not four digits, a "
        "controlled value (resource type, relation type, contributor type ...) spelled differently from the "
        "list or newer than the schema version in use, a malformed URL, language tag or DOI.",
        "Send years as YYYY, URLs with http:// or https://, and language tags like en or de-CH. Map local "
        "vocabularies to DataCite's controlled lists exactly, including capitalisation, and check that the "
        "value exists in the schema version you send.",
    ),
    _mode(
        "schema-3-not-supported", "schema3", 422, "Metadata Schema 3 is no longer accepted",
        [r"Schema http://datacite\.org/schema/kernel-[23](?:\.\d+)? is no longer supported"],
        "The metadata uses DataCite Metadata Schema 3 (or older), which DataCite no longer accepts. This also "
        "happens when an old DOI registered with Schema 3 is updated without upgrading its metadata.",
        "Send kernel-4 metadata: the namespace http://datacite.org/schema/kernel-4, a resourceTypeGeneral, "
        "and funders as fundingReferences rather than Funder contributors. Re-send the full record when "
        "updating an old DOI.",
    ),
    _mode(
        "xml-parse-error", "xml_parse", 400, "The XML is not well-formed",
        [r"\[xml\] xml error", r"xmlParse\w*", r"The entity name must immediately follow",
         r"Opening and ending tag mismatch", r"Premature end of data", r"Start tag expected",
         r"not well-formed", r"EntityRef: expecting ';'", r"Extra content at the end of the document",
         r"Input is not proper UTF-8"],
        "DataCite could not read the XML at all: usually a bare &, < or > in a title or name, a tag that is "
        "not closed, or text that is not UTF-8. This typically comes from XML built by joining strings.",
        "Build the XML with an XML library that escapes text for you, declare and send UTF-8, and check the "
        "line and column named in the message.",
    ),
    _mode(
        "json-shape", "validation", 422, "The JSON has the wrong shape",
        [r"should be an object instead of a string", r"is missing a required element: contributor type",
         r"has a contributor type that is not supported", r"A contributor is missing a required element",
         r"You need to provide a payload following the JSONAPI spec"],
        "The JSON sent to the REST API does not follow DataCite's attribute shapes: a list of plain strings "
        "where objects are expected (titles, creators, subjects, dates ...), a contributor without a "
        "contributorType or name, a contributor type that Schema 4 dropped (such as Funder), or a body "
        "without the top-level data object.",
        "Send each list item as an object, for example titles as [{\"title\": \"...\"}]. Give every "
        "contributor a name and a contributorType, move funders to fundingReferences, and wrap the request "
        "as {\"data\": {\"type\": \"dois\", \"attributes\": {...}}}.",
    ),
    _mode(
        "publisher-affiliation", "validation", 422, "Publisher or affiliation is shaped wrongly",
        [r"publisherIdentifier", r"affiliationIdentifier",
         r"\b(?:publisher|affiliation)\b[^.]{0,80}\bror(?:\.org)?\b",
         r"\bror\.org\b[^.]{0,80}\b(?:publisher|affiliation)\b"],
        "The publisher or an affiliation is not in the form DataCite expects: an identifier such as a ROR "
        "URL written into the name, an identifier without its scheme, or the text and object forms mixed up. "
        "Since Schema 4.5 the publisher may carry an identifier; responses show it only when asked for.",
        "Put the organisation's name in name and its ROR URL in publisherIdentifier or affiliationIdentifier, "
        "with the scheme ROR and schemeUri https://ror.org/. Ask the API for publisher=true or affiliation=true "
        "to see the object forms.",
    ),
    _mode(
        "cannot-delete-registered", "method_not_allowed", 405, "Only drafts can be deleted",
        [r"\bMethod not allowed\b"],
        "Only draft DOIs can be deleted. Once a DOI is registered or findable it is permanent, so DataCite "
        "refuses the delete.",
        "Hide the DOI instead (the hide event makes a findable DOI registered, so it leaves search results) "
        "and point its URL to a tombstone page that explains why the content is gone.",
    ),
    _mode(
        "mds-metadata-first", "precondition", 412, "Register the metadata before the DOI (MDS)",
        [r"Precondition failed", r"register metadata first"],
        "The MDS API needs the metadata to exist before the DOI can be minted with its URL; the calls came "
        "in the other order, or went to the wrong MDS path.",
        "Send the metadata first (POST /metadata), then the DOI and URL (PUT /doi/{doi}). Better still, move "
        "the integration to the REST API, where one request does both.",
    ),
    _mode(
        "rate-limited", "rate_limit", 429, "Too many requests",
        [r"rate limited", r"Too Many Requests", r"rate limit exceeded"],
        "DataCite limits how many requests one IP address may send in five minutes (fewer for anonymous "
        "callers and on the test system), and this one went over the limit.",
        "Wait and retry with a growing pause. Authenticate, or send a User-Agent with a mailto address, to get "
        "the higher limits; keep bulk work to a few hundred requests per five minutes and tell DataCite "
        "support before a large run.",
    ),
    _mode(
        "datacite-unavailable", "outage", 503, "DataCite is unavailable",
        [r"No server available to handle the request", r"\bInternal Server Error\b", r"\bBad Gateway\b",
         r"\bService (?:Temporarily )?Unavailable\b", r"\bGateway Time-?out\b", r"\btimed out\b",
         r"\b(?:HTTP|status|error)[ :]*50[0234]\b"],
        "DataCite did not answer properly: a server error, an HTML error page instead of JSON, or no answer "
        "within the time limit. The request may or may not have taken effect.",
        "Retry later with a growing pause and check status.datacite.org. After a registration that failed "
        "this way, look the DOI up before sending it again, and check that it resolves at doi.org.",
    ),
    _mode(
        "doi-not-found", "not_found", 404, "The DOI or resource does not exist",
        [r"The resource you are looking for doesn'?t exist", r"\bDOI not found\b", r"DOI is unknown to MDS"],
        "DataCite has no such DOI or resource visible to this caller. Drafts and registered DOIs are visible "
        "only with the owning repository's credentials, and test and production are separate systems.",
        "Check the DOI for typos, use the credentials of the repository that owns it, and make sure you ask "
        "the same system (test or production) it was created in.",
    ),
]

FAILURE_MODES: dict[str, FailureMode] = {mode.key: mode for mode in _CATALOGUE}

# When a pasted message could match several modes, the most specific wins.
TEXT_PRIORITY = (
    "schema-3-not-supported", "xml-parse-error", "url-domain-not-allowed", "doi-already-taken", "json-shape",
    "publisher-affiliation", "empty-value", "invalid-value", "missing-mandatory-property",
    "cannot-delete-registered", "mds-metadata-first", "rate-limited", "bad-credentials", "not-authorized",
    "doi-not-found", "datacite-unavailable",
)

# The modes a 400/422 validation answer can be, tried in this order against each error title.
VALIDATION_PRIORITY = (
    "schema-3-not-supported", "xml-parse-error", "url-domain-not-allowed", "doi-already-taken", "json-shape",
    "publisher-affiliation", "empty-value", "invalid-value", "missing-mandatory-property",
)

# Plain-words fallbacks for answers that fit no failure mode.
GENERIC_TEXT: dict[str, tuple[str, str]] = {
    "auth": (FAILURE_MODES["bad-credentials"].explanation, FAILURE_MODES["bad-credentials"].fix),
    "permission": (FAILURE_MODES["not-authorized"].explanation, FAILURE_MODES["not-authorized"].fix),
    "duplicate": (FAILURE_MODES["doi-already-taken"].explanation, FAILURE_MODES["doi-already-taken"].fix),
    "url_domain": (FAILURE_MODES["url-domain-not-allowed"].explanation,
                   FAILURE_MODES["url-domain-not-allowed"].fix),
    "validation": (
        "DataCite refused the request because something in it is not valid; the title says what.",
        "Correct the field the message names and send the request again.",
    ),
    "schema3": (FAILURE_MODES["schema-3-not-supported"].explanation, FAILURE_MODES["schema-3-not-supported"].fix),
    "xml_parse": (FAILURE_MODES["xml-parse-error"].explanation, FAILURE_MODES["xml-parse-error"].fix),
    "rate_limit": (FAILURE_MODES["rate-limited"].explanation, FAILURE_MODES["rate-limited"].fix),
    "outage": (FAILURE_MODES["datacite-unavailable"].explanation, FAILURE_MODES["datacite-unavailable"].fix),
    "not_found": (FAILURE_MODES["doi-not-found"].explanation, FAILURE_MODES["doi-not-found"].fix),
    "method_not_allowed": (
        "DataCite does not allow this operation on this resource.",
        "Check the method and the state of the DOI; only drafts can be deleted.",
    ),
    "precondition": (FAILURE_MODES["mds-metadata-first"].explanation, FAILURE_MODES["mds-metadata-first"].fix),
}
