"""A subset of the Elasticsearch ``query_string`` syntax DataCite's ``query=`` accepts, translated to SQL.

Supported: field:value, "phrases", wildcards (* ?), ranges [a TO b] / {a TO b} / >= > <= <, AND OR NOT,
- and +, parentheses, and free text over titles, creator names and the DOI.
"""

from __future__ import annotations

import re

from portal.datacite.sandbox.search_fields import Clause, SearchError, field_match, field_range, free_text

# Ranges are one token: their bounds may hold colons (times), as in updated:[2026-01-01T00:00:00Z TO *].
_TOKEN = re.compile(r'\s+|[\[{][^\[\]{}]*[\]}]|"(?:[^"\\]|\\.)*"?|\(|\)|\[|\]|\{|\}|>=|<=|>|<|&&|\|\||(?:[^\s"()\[\]{}\\:]|\\.)+|:')


def parse_query(query: str) -> Clause:
    """SQL (over the dois table) for a query string; SearchError for syntax DataCite's backend rejects."""
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(query) if not m.group().isspace()]
    parser = _Parser(query, tokens)
    clause = parser.expression()
    if parser.position < len(tokens):
        parser.fail()
    return clause


class _Parser:
    def __init__(self, query: str, tokens: list[tuple[str, int]]) -> None:
        self.query = query
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        """The next token, or None at the end."""
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self) -> str:
        """Consume the next token (a parse error at the end)."""
        item = self.peek()
        if item is None:
            self.fail()
        self.position += 1
        return item  # type: ignore[return-value]

    def fail(self) -> None:
        """Raise the search backend's parse_exception for the current position."""
        if self.position < len(self.tokens):
            found, column = self.tokens[self.position][0], self.tokens[self.position][1] + 1
        else:
            found, column = "<EOF>", len(self.query)
        raise SearchError(
            f"parse_exception: Cannot parse '{self.query}': Encountered \"{found}\" at line 1, column {column}.\n"
            "Was expecting one of:\n    <BAREOPER> ...\n    \"(\" ...\n    \"*\" ...\n    <QUOTED> ...\n    <TERM> ..."
        )

    def expression(self) -> Clause:
        """expression := conjunction (OR conjunction)*"""
        parts = [self.conjunction()]
        while self.peek() in ("OR", "||"):
            self.take()
            parts.append(self.conjunction())
        return _join(parts, " OR ")

    def conjunction(self) -> Clause:
        """conjunction := negation ([AND] negation)*  (AND is the default operator)"""
        parts = [self.negation()]
        while self.peek() not in (None, ")", "OR", "||"):
            if self.peek() in ("AND", "&&"):
                self.take()
            parts.append(self.negation())
        return _join(parts, " AND ")

    def negation(self) -> Clause:
        """negation := (NOT | -) negation | [+] primary"""
        item = self.peek()
        if item in ("NOT", "!"):
            self.take()
            inner = self.negation()
            return Clause(f"NOT ({inner.sql})", inner.params)
        if item is not None and item.startswith("-") and len(item) > 1:
            self.tokens[self.position] = (item[1:], self.tokens[self.position][1] + 1)
            inner = self.primary()
            return Clause(f"NOT ({inner.sql})", inner.params)
        if item is not None and item.startswith("+") and len(item) > 1:
            self.tokens[self.position] = (item[1:], self.tokens[self.position][1] + 1)
        return self.primary()

    def primary(self) -> Clause:
        """primary := ( expression ) | field:value | term"""
        item = self.peek()
        if item is None or item in ("[", "{", ")", "]", "}", ":", "AND", "OR", "&&", "||"):
            self.fail()
        if item[0] in "[{":
            self.take()
            return Clause("0", [])
        if item == "(":
            self.take()
            inner = self.expression()
            if self.peek() != ")":
                self.fail()
            self.take()
            return Clause(f"({inner.sql})", inner.params)
        if self.position + 1 < len(self.tokens) and self.tokens[self.position + 1][0] == ":" and _is_field(item):
            field = self.take().replace("\\", "")
            self.take()
            return self.field_value(field)
        return free_text(self.value_text())

    def value_text(self) -> str:
        """A term or quoted phrase, unescaped."""
        item = self.take()
        if item.startswith('"'):
            if len(item) < 2 or not item.endswith('"'):
                self.position -= 1
                self.fail()
            return item[1:-1].replace('\\"', '"')
        if item in ("(", ")", "[", "]", "{", "}", ":"):
            self.position -= 1
            self.fail()
        return re.sub(r"\\(.)", r"\1", item)

    def field_value(self, field: str) -> Clause:
        """The value after ``field:``: range, comparison, group or single term."""
        item = self.peek()
        if item is not None and item[0] in "[{" and len(item) > 1:
            bounds = item[1:-1].split()
            if len(bounds) != 3 or bounds[1] != "TO":
                self.fail()
            self.take()
            low, high = (b.strip('"') for b in (bounds[0], bounds[2]))
            return field_range(field, low, high, item[0] == "[", item[-1] == "]")
        if item in (">=", ">", "<=", "<"):
            operator = self.take()
            value = self.value_text()
            if operator.startswith(">"):
                return field_range(field, value, "*", operator == ">=", True)
            return field_range(field, "*", value, True, operator == "<=")
        if item == "(":
            self.take()
            parts = []
            while self.peek() not in (")", None):
                if self.peek() in ("OR", "AND", "||", "&&"):
                    self.take()
                    continue
                parts.append(field_match(field, self.value_text()))
            if self.peek() != ")":
                self.fail()
            self.take()
            return _join(parts, " OR ")
        return field_match(field, self.value_text())


def _is_field(item: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", item.replace("\\", "")))


def _join(parts: list[Clause], operator: str) -> Clause:
    if len(parts) == 1:
        return parts[0]
    return Clause(operator.join(f"({p.sql})" for p in parts), [x for p in parts for x in p.params])


__all__ = ["Clause", "SearchError", "parse_query"]
