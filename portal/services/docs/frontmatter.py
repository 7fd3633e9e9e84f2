"""Front matter of documentation pages: a small, strict ``key: value`` format between ``---`` lines.

No YAML: every field is declared below with its kind, unknown fields are errors, and every error
names the file, the line and the field, so `docs check` can say exactly what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from portal.services.docs.failure_modes import BY_KEY, ERROR_CLASSES

AUDIENCES = ("public", "members", "agents")
SCHEMA_VERSIONS = ("3.0", "3.1", "4.0", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*){0,3}$")
SECTION_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_PATTERN = re.compile(r"^([a-z_]+)\s*:(.*)$")
MAX_SLUG_LENGTH = 120
# Slugs the docs blueprint uses for its own pages.
RESERVED_SLUGS = frozenset({"search", "suggest", "feedback", "images", "index"})


@dataclass
class Problem:
    """One thing wrong with a file: where, which field, and what."""

    source: str
    message: str
    line: int | None = None
    field: str = ""

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line else "")
        about = f" {self.field}:" if self.field else ""
        return f"{where}:{about} {self.message}"


class FrontMatterError(ValueError):
    """The front matter cannot be used; ``problems`` says every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class FrontMatter:
    """A page's validated front matter."""

    title: str
    summary: str
    section: str
    audience: str
    last_reviewed: date
    order: int = 100
    schema_versions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    error_class: str = ""
    failure_key: str = ""
    error_text: tuple[str, ...] = ()

    @property
    def schema_label(self) -> str:
        """The schema versions as a short label: "4.0–4.7", or "" for every version."""
        return versions_label(self.schema_versions)


def slug_problem(slug: str) -> str | None:
    """Why a slug cannot be used, or None."""
    if not slug:
        return "is empty"
    if len(slug) > MAX_SLUG_LENGTH:
        return f"is longer than {MAX_SLUG_LENGTH} characters"
    if not SLUG_PATTERN.match(slug):
        return "must be lower-case words joined by hyphens, with at most four parts separated by /"
    first = slug.split("/")[0]
    if first in RESERVED_SLUGS and slug != "index":
        return f"must not start with {first!r}, which the docs site uses itself"
    return None


def _text(value: str) -> str:
    if len(value) > 300:
        raise ValueError("is longer than 300 characters")
    return value


def _order(value: str) -> int:
    if not re.fullmatch(r"-?\d{1,6}", value):
        raise ValueError(f"must be a whole number, not {value!r}")
    return int(value)


def _audience(value: str) -> str:
    if value not in AUDIENCES:
        raise ValueError(f"must be one of {', '.join(AUDIENCES)}, not {value!r}")
    return value


def _section(value: str) -> str:
    if not SECTION_PATTERN.match(value):
        raise ValueError(f"must be a section key such as 'troubleshooting', not {value!r}")
    return value


def _date(value: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"must be a date written YYYY-MM-DD, not {value!r}")


def _error_class(value: str) -> str:
    if value not in ERROR_CLASSES:
        raise ValueError(f"must be one of {', '.join(sorted(ERROR_CLASSES))}, not {value!r}")
    return value


def _failure_key(value: str) -> str:
    if value not in BY_KEY:
        raise ValueError(f"is not a known failure key: {value!r}")
    return value


def parse_versions(value: str) -> tuple[str, ...]:
    """``4.0-4.7, 3.1`` or ``all`` to a tuple of known versions (empty for all)."""
    if value.strip().lower() == "all":
        return ()
    chosen: set[str] = set()
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        first, _, last = (piece.strip() for piece in item.replace("–", "-").partition("-"))
        last = last or first
        if first not in SCHEMA_VERSIONS or last not in SCHEMA_VERSIONS:
            raise ValueError(f"{item!r} is not a schema version or range of {', '.join(SCHEMA_VERSIONS)}")
        lo, hi = SCHEMA_VERSIONS.index(first), SCHEMA_VERSIONS.index(last)
        if lo > hi:
            raise ValueError(f"the range {item!r} runs backwards")
        chosen.update(SCHEMA_VERSIONS[lo:hi + 1])
    return tuple(v for v in SCHEMA_VERSIONS if v in chosen)


def versions_label(versions: tuple[str, ...]) -> str:
    """Consecutive versions folded into ranges: ("4.0", "4.1", "4.2") -> "4.0–4.2"."""
    if not versions:
        return ""
    indexes = [SCHEMA_VERSIONS.index(v) for v in versions]
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return ", ".join(SCHEMA_VERSIONS[a] if a == b else f"{SCHEMA_VERSIONS[a]}–{SCHEMA_VERSIONS[b]}" for a, b in runs)


def _slug_list(value: str) -> tuple[str, ...]:
    items = tuple(part.strip().strip("/") for part in value.split(",") if part.strip())
    for item in items:
        problem = slug_problem(item)
        if problem:
            raise ValueError(f"alias {item!r} {problem}")
    return items


def _word_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _line(value: str) -> tuple[str, ...]:
    return (value,) if value else ()


@dataclass(frozen=True)
class _Field:
    convert: Callable[[str], object]
    required: bool = False
    repeatable: bool = False


FIELDS: dict[str, _Field] = {
    "title": _Field(_text, required=True),
    "summary": _Field(_text, required=True),
    "section": _Field(_section, required=True),
    "audience": _Field(_audience, required=True),
    "last_reviewed": _Field(_date, required=True),
    "order": _Field(_order),
    "schema_versions": _Field(parse_versions),
    "aliases": _Field(_slug_list, repeatable=True),
    "keywords": _Field(_word_list, repeatable=True),
    "error_class": _Field(_error_class),
    "failure_key": _Field(_failure_key),
    # One exact DataCite error phrase per line; phrases may contain commas.
    "error_text": _Field(_line, repeatable=True),
}


@dataclass
class _Block:
    lines: list[tuple[int, str]] = field(default_factory=list)
    body_start: int = 0


def _split(text: str, source: str) -> _Block:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError([Problem(source, "must start with a front matter block opened by a line '---'", 1)])
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return _Block([(n + 1, lines[n]) for n in range(1, index)], index + 1)
    raise FrontMatterError([Problem(source, "the front matter block is never closed by a line '---'", 1)])


def parse_document(text: str, *, source: str = "<text>") -> tuple[FrontMatter, str]:
    """Split a page into its front matter and its Markdown body, or raise FrontMatterError."""
    block = _split(text, source)
    problems: list[Problem] = []
    values: dict[str, object] = {}
    for number, raw in block.lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = KEY_PATTERN.match(line)
        if not match:
            problems.append(Problem(source, f"expected 'key: value', found {line[:60]!r}", number))
            continue
        key, value = match.group(1), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].strip()  # optional quotes, for values that start with a special character
        spec = FIELDS.get(key)
        if spec is None:
            problems.append(Problem(source, f"unknown field; known fields are {', '.join(FIELDS)}", number, key))
            continue
        if key in values and not spec.repeatable:
            problems.append(Problem(source, "is given twice", number, key))
            continue
        if not value:
            if spec.required:
                problems.append(Problem(source, "is empty", number, key))
            continue
        try:
            converted = spec.convert(value)
        except ValueError as exc:
            problems.append(Problem(source, str(exc), number, key))
            continue
        if spec.repeatable:
            values[key] = tuple(values.get(key, ())) + tuple(converted)  # type: ignore[arg-type]
        else:
            values[key] = converted
    for name, spec in FIELDS.items():
        if spec.required and name not in values and not any(p.field == name for p in problems):
            problems.append(Problem(source, "is missing", None, name))
    if values.get("failure_key") and not values.get("error_class"):
        values["error_class"] = BY_KEY[str(values["failure_key"])].error_class
    if problems:
        raise FrontMatterError(problems)
    body = "\n".join(text.splitlines()[block.body_start:])
    return FrontMatter(**values), body  # type: ignore[arg-type]


def set_field(text: str, key: str, value: str) -> str:
    """The page text with one front matter field set (replaced, or added before the closing line)."""
    if key not in FIELDS:
        raise ValueError(f"unknown front matter field {key!r}")
    lines = text.splitlines()
    block = _split(text, "<text>")
    for number, raw in block.lines:
        match = KEY_PATTERN.match(raw.strip())
        if match and match.group(1) == key:
            lines[number - 1] = f"{key}: {value}"
            break
    else:
        lines.insert(block.body_start - 1, f"{key}: {value}")
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def parse_sections(text: str, *, source: str = "sections.txt") -> tuple[dict[str, str], list[Problem]]:
    """``key: Title`` lines in display order; returns the sections and any problems."""
    sections: dict[str, str] = {}
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, title = (part.strip() for part in line.partition(":"))
        if not sep or not SECTION_PATTERN.match(key) or not title:
            problems.append(Problem(source, f"expected 'section-key: Title', found {line[:60]!r}", number))
        elif key in sections:
            problems.append(Problem(source, f"section {key!r} is listed twice", number))
        else:
            sections[key] = title
    return sections, problems
