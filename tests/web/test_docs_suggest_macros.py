"""The suggestion macros the helpdesk's ticket form reuses render what suggest.js and no-JS pages need."""

from __future__ import annotations

from flask import render_template_string

from portal.services.docs import suggest_articles
from portal.web.docs import docs_library

TEMPLATE = """{% from "docs/_suggest.html" import suggestion_box, suggestion_list %}
{{ suggestion_box('subject', 'error', error_class='auth') }}
{{ suggestion_list(found, 'abcdefghijklmnopqrstuv') }}"""


def test_suggestion_macros(app) -> None:
    with app.test_request_context("/"):
        found = suggest_articles("", "Bad credentials <b>", audience_role="member", library=docs_library())
        html = render_template_string(TEMPLATE, found=found)
    assert 'data-url="/docs/suggest"' in html and 'data-error-class="auth"' in html and "hidden" in html
    assert 'href="/docs/troubleshooting/bad-credentials?via=abcdefghijklmnopqrstuv"' in html
    assert "Your error text matches the error this article explains." in html
    assert "<b>" not in html
