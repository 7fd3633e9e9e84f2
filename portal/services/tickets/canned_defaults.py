"""The canned answers we ship: DataCite's common registration failures, each with its cause and fix, in our words.

Variables in double braces are filled from the ticket when an agent inserts the answer.
"""

from __future__ import annotations

SIGN_OFF = "\n\nBest regards,\n{{agent_name}}"

CANNED_DEFAULTS: list[dict[str, str]] = [
    {
        "key": "bad-credentials", "category": "credentials", "title": "401 Bad credentials",
        "body": "Hello {{member_name}},\n\nDataCite answered `401 Bad credentials.`: it did not accept the repository ID and "
                "password that were sent. The usual causes are a password from the **test** system used against "
                "production (or the reverse), the member ID used where the repository ID belongs, or a password that "
                "was changed in Fabrica.\n\nPlease check that {{repository_id}} is the repository ID (it contains a dot), "
                "sign in to the Fabrica of the same environment ({{environment}}) with it, and reset the password there if "
                "needed. Then send us the new credential through the secure link we can send you; never by email.\n\n"
                "Details: {{docs_url}}/troubleshooting/bad-credentials" + SIGN_OFF,
    },
    {
        "key": "not-authorized", "category": "prefix_account", "title": "403 Not authorized for this DOI or prefix",
        "body": "Hello {{member_name}},\n\nDataCite answered `403 You are not authorized to access this resource.` The "
                "credential was accepted, but {{repository_id}} may not act on {{doi}}: the DOI's prefix is not assigned "
                "to this repository, or the DOI belongs to another repository.\n\nPlease check the prefixes listed for "
                "{{repository_id}} in Fabrica and register under one of them. If the prefix should be yours, tell us and "
                "we will raise it with DataCite.\n\nDetails: {{docs_url}}/troubleshooting/not-authorized" + SIGN_OFF,
    },
    {
        "key": "doi-already-taken", "category": "registration_error", "title": "422 This DOI has already been taken",
        "body": "Hello {{member_name}},\n\n`This DOI has already been taken` means {{doi}} already exists at DataCite, "
                "often from an earlier attempt that timed out or a draft created before. Nothing is broken: the existing "
                "DOI can be updated instead of created again.\n\nWe looked it up and will update it rather than create it. "
                "If you create DOIs yourself, check for the DOI first and update it when it exists, or let DataCite "
                "generate the suffix.\n\nDetails: {{docs_url}}/troubleshooting/doi-already-taken" + SIGN_OFF,
    },
    {
        "key": "url-domain-not-allowed", "category": "landing_page_url", "title": "422 URL not allowed by domain settings",
        "body": "Hello {{member_name}},\n\nDataCite refused the landing-page URL because its host is not in the list of "
                "domains allowed for {{repository_id}}. DataCite matches hosts exactly, and `*.example.org` allows "
                "subdomains only, not `example.org` itself.\n\nPlease add the landing page's host to the repository's "
                "domain list in Fabrica (or ask us to), or correct the URL, and publish again.\n\n"
                "Details: {{docs_url}}/troubleshooting/url-domain-not-allowed" + SIGN_OFF,
    },
    {
        "key": "missing-mandatory-property", "category": "metadata_schema", "title": "422 Mandatory property missing",
        "body": "Hello {{member_name}},\n\nDataCite refused to register {{doi}} because a mandatory property is missing. "
                "Drafts may be incomplete, but a registered or findable DOI needs all of: identifier, creators, titles, "
                "publisher, publication year and resource type (general).\n\nPlease fill in the property named in the "
                "error and publish again.\n\nDetails: {{docs_url}}/troubleshooting/missing-mandatory-property" + SIGN_OFF,
    },
    {
        "key": "empty-value", "category": "metadata_schema", "title": "422 Empty value in the metadata",
        "body": "Hello {{member_name}},\n\nThe error `[facet 'minLength'] The value has a length of '0'` means an element "
                "in the metadata of {{doi}} is present but empty, for example a contributor without a name or an empty "
                "name identifier.\n\nPlease remove empty fields (or fill them) and publish again.\n\n"
                "Details: {{docs_url}}/troubleshooting/empty-value" + SIGN_OFF,
    },
    {
        "key": "invalid-value", "category": "metadata_schema", "title": "422 Invalid or unsupported value",
        "body": "Hello {{member_name}},\n\nDataCite refused a value in the metadata of {{doi}}: either it does not match "
                "the expected pattern (the publication year must be four digits) or it is not in a controlled list of "
                "the Metadata Schema (for example a resource type or relation type spelled differently).\n\nPlease use one "
                "of the values the schema lists, exactly as written, and publish again.\n\n"
                "Details: {{docs_url}}/troubleshooting/invalid-value" + SIGN_OFF,
    },
    {
        "key": "schema-3-not-supported", "category": "metadata_schema", "title": "422 Schema 3 no longer supported",
        "body": "Hello {{member_name}},\n\nDataCite no longer accepts metadata in Schema 3 (`kernel-3`). {{doi}} was sent, "
                "or was first registered, with kernel-3 XML.\n\nPlease send kernel-4 metadata: add a general resource "
                "type, and move funders from contributors to funding references. We can help map the old record.\n\n"
                "Details: {{docs_url}}/troubleshooting/schema-3-not-supported" + SIGN_OFF,
    },
    {
        "key": "xml-parse-error", "category": "metadata_schema", "title": "400 XML cannot be parsed",
        "body": "Hello {{member_name}},\n\nDataCite could not read the XML that was sent: it is not well-formed. The most "
                "common cause is an unescaped `&` or `<` in a title or description, or text that is not UTF-8.\n\n"
                "Please build the XML with an XML library (which escapes these characters) and send it again.\n\n"
                "Details: {{docs_url}}/troubleshooting/xml-parse-error" + SIGN_OFF,
    },
    {
        "key": "json-shape", "category": "metadata_schema", "title": "422 JSON in the wrong shape",
        "body": "Hello {{member_name}},\n\nDataCite refused the JSON for {{doi}} because a property has the wrong shape, for "
                "example a title given as a string where an object `{\"title\": \"...\"}` is expected, or a contributor "
                "with the type `Funder` (funders go in fundingReferences since Schema 4).\n\nPlease follow DataCite's "
                "XML-to-JSON mapping for the property named in the error.\n\n"
                "Details: {{docs_url}}/troubleshooting/json-shape" + SIGN_OFF,
    },
    {
        "key": "publisher-affiliation", "category": "metadata_schema", "title": "Publisher or affiliation in the wrong place",
        "body": "Hello {{member_name}},\n\nThe publisher or an affiliation of {{doi}} carries an identifier inside its "
                "name (for example a ROR URL typed as the publisher's name). DataCite keeps identifiers in their own "
                "fields.\n\nPlease put the name in `name` and the ROR ID in `publisherIdentifier` / `affiliationIdentifier` "
                "with the scheme `ROR`.\n\nDetails: {{docs_url}}/troubleshooting/publisher-affiliation" + SIGN_OFF,
    },
    {
        "key": "cannot-delete-registered", "category": "registration_error", "title": "405 Registered DOIs cannot be deleted",
        "body": "Hello {{member_name}},\n\nOnly draft DOIs can be deleted. {{doi}} is registered or findable, and DOIs are "
                "permanent by design, so DataCite answers `405 Method not allowed`.\n\nIf the content is gone, hide the DOI "
                "(it becomes registered, not findable) and point its URL to a tombstone page that explains what "
                "happened.\n\nDetails: {{docs_url}}/troubleshooting/cannot-delete-registered" + SIGN_OFF,
    },
    {
        "key": "mds-metadata-first", "category": "registration_error", "title": "MDS 412: register metadata first",
        "body": "Hello {{member_name}},\n\nWith the older MDS API, metadata must be uploaded before the DOI is minted; "
                "otherwise DataCite answers `412 Precondition failed`.\n\nPlease send the metadata first, then the DOI and "
                "URL. Our integration uses the REST API, where one request does both.\n\n"
                "Details: {{docs_url}}/troubleshooting/mds-metadata-first" + SIGN_OFF,
    },
    {
        "key": "rate-limited", "category": "registration_error", "title": "429 Rate limited",
        "body": "Hello {{member_name}},\n\nDataCite limited the request rate (`429`): too many requests came from one address "
                "in five minutes. Nothing was lost.\n\nWe retry automatically after the time DataCite asks for. For bulk "
                "work, keep to a few hundred requests per five minutes.\n\n"
                "Details: {{docs_url}}/troubleshooting/rate-limited" + SIGN_OFF,
    },
    {
        "key": "datacite-unavailable", "category": "registration_error", "title": "5xx DataCite unavailable",
        "body": "Hello {{member_name}},\n\nDataCite answered with a server error or did not answer in time. This is on "
                "DataCite's side, usually brief.\n\nYour request is queued and will be sent again automatically; we will "
                "check that {{doi}} resolves at doi.org afterwards. DataCite's status page shows ongoing incidents.\n\n"
                "Details: {{docs_url}}/troubleshooting/datacite-unavailable" + SIGN_OFF,
    },
    {
        "key": "doi-not-found", "category": "registration_error", "title": "404 DOI not found",
        "body": "Hello {{member_name}},\n\nDataCite does not know {{doi}} in the {{environment}} system. Test and production "
                "are separate: a DOI registered in test does not exist in production. Drafts are also visible only to "
                "their own repository.\n\nPlease check the DOI's spelling, the environment and the repository.\n\n"
                "Details: {{docs_url}}/troubleshooting/doi-not-found" + SIGN_OFF,
    },
]
