"""Translatable messages carried by domain errors and findings.

The interface is French first: message ids are the French text itself (as in the house style's
``ProxyLimitError("M. X détient déjà 1 pouvoir (maximum 1)")``), and the English catalog under
``web/locale/en`` translates them. The web layer renders a message in the request's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class Message:
    """A French message id with named ``{placeholders}``, rendered in the reader's language."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] = _identity) -> str:
        """Translate the message id, then fill in the parameters."""
        text = gettext(self.msgid)
        if not self.params:
            return text
        params = {
            key: value.render(gettext) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return text.format(**params)

    def __str__(self) -> str:
        return self.render()


def M(msgid: str, **params: Any) -> Message:  # noqa: N802 — a short marker, like gettext's _()
    """Mark ``msgid`` for extraction and bind its parameters."""
    return Message(msgid, params)
