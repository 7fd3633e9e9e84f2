"""DataCite Metadata Schema 4.0-4.7: catalog, version detection, validation, XSD checks, completeness.

Pure Python (lxml, httpx for the optional XSD download); no Flask, no database.
"""

from portal.datacite.schema.catalog import (
    CONTROLLED,
    LATEST,
    RELEASE_DATES,
    REMOVED,
    VERSIONS,
    UnknownVersion,
    allowed_values,
    ordered_values,
)
from portal.datacite.schema.completeness import Completeness, completeness
from portal.datacite.schema.download import DownloadFailed, download_xsds
from portal.datacite.schema.history import version_features
from portal.datacite.schema.problems import Problem
from portal.datacite.schema.rules import MANDATORY, OPTIONAL, RECOMMENDED
from portal.datacite.schema.validate import validate_attributes
from portal.datacite.schema.versioning import (
    NotKernel4,
    Requirement,
    declared_version_xml,
    explain_minimum_version,
    explain_minimum_version_xml,
    is_schema3_xml,
    minimum_version,
    minimum_version_xml,
)
from portal.datacite.schema.xml_validate import validate_xml
from portal.datacite.schema.xmldoc import XmlUnreadable
from portal.datacite.schema.xsd import XsdMissing, configured_xsd_dir

__all__ = [
    "CONTROLLED", "LATEST", "MANDATORY", "OPTIONAL", "RECOMMENDED", "RELEASE_DATES", "REMOVED", "VERSIONS",
    "Completeness", "DownloadFailed", "NotKernel4", "Problem", "Requirement", "UnknownVersion", "XmlUnreadable",
    "XsdMissing", "allowed_values", "completeness", "configured_xsd_dir", "declared_version_xml", "download_xsds",
    "explain_minimum_version", "explain_minimum_version_xml", "is_schema3_xml", "minimum_version",
    "minimum_version_xml", "ordered_values", "validate_attributes", "validate_xml", "version_features",
]
