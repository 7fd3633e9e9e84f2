"""Form field helpers shared by the blueprints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape
from wtforms import SelectField as _SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class Mandatory:
    """Marks a field required for screen readers and browsers, leaving the check to the service.

    The service validates the whole input at once, so a person sees every problem in one go.
    """

    field_flags = {"required": True}

    def __call__(self, form: object, field: object) -> None:
        return None


class LeanSelect(Select):
    """wtforms' select with plain options written directly: the same HTML at a tenth of the cost.

    wtforms builds every option through html_params and Markup.format (about 35 µs each); a ticket page has
    some 80 options and the time-zone list over 400.
    """

    @classmethod
    def _dispatch_render_option(cls) -> Any:
        # wtforms inspects render_option's signature on every render to support pre-3.3 overrides; ours is current.
        return cls.render_option

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""  # html_params writes attributes in name order
        label = choice.label or choice.value
        # both interpolated values pass through escape(); `selected` is one of two constants
        return Markup(f'<option {selected}value="{escape(value)}">{escape(label)}</option>')  # noqa: S704


class SelectField(_SelectField):
    """The select field all our forms use (see LeanSelect)."""

    widget = LeanSelect()
