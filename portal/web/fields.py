"""Form field helpers shared by the blueprints."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


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
