"""The API's shared vocabulary: input types, the base request model, exact numbers, times, errors.

Conventions (the Terreau API specification, ``spec/api.md``, summed up in the README's API
section): ids are strings, exact numbers are ``{"exact", "display"}`` objects, times are ISO 8601
with the organisation's UTC offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from governance.rules.statutes import parse_exact
from governance.services.types import MAX_ID, Organisation
from web import i18n
from web.api.deps import exact

# ---- input types ----------------------------------------------------------------------------


def _exact_text(value: Any) -> Any:
    """Accept an exact number as text or integer; refuse floats, which are never exact."""
    if isinstance(value, bool | float):
        raise PydanticCustomError(
            "exact_number",
            i18n.gettext(
                "Nombre exact attendu, écrit en texte : entier, décimal ou fraction "
                "(ex. « 40 », « 33.5 », « 2/3 »)."
            ),
        )
    if isinstance(value, int):
        return str(value)
    return value


def _id_text(value: Any) -> Any:
    """Accept an id as a string (the API's convention) or as a bare integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _no_nul(value: str) -> str:
    """Refuse the NUL character, which no database text column stores."""
    if "\x00" in value:
        raise PydanticCustomError("nul_character", i18n.gettext("Caractère nul interdit."))
    return value


MAX_INT = MAX_ID

Text = Annotated[str, AfterValidator(_no_nul)]
Name = Annotated[Text, Field(max_length=200)]
Count = Annotated[int, Field(le=MAX_INT)]

ExactNumber = Annotated[
    str,
    BeforeValidator(_exact_text),
    Field(
        description='Exact number as text: integer, decimal or fraction ("40", "33.5", "2/3").',
        examples=["40"],
    ),
]
IdRef = Annotated[
    Text,
    BeforeValidator(_id_text),
    Field(description="The id returned when the object was created (its name also works)."),
]
DateText = Annotated[
    Text,
    Field(description="A date, YYYY-MM-DD.", json_schema_extra={"format": "date"}),
]


def _not_utf8(value: Any) -> bool:
    """True if a text in ``value`` (a key, an item, at any depth) cannot be written as UTF-8.

    JSON may carry a lone UTF-16 surrogate (``"\\ud800"``): Python reads it, but no database,
    page or JSON answer can write it back. Walked without recursion, however deep the body.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode()
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class ApiModel(BaseModel):
    """A request body: unknown fields are refused, so a typo never passes silently; texts that
    are not valid Unicode are refused before any field is read."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _unicode_only(cls, data: Any) -> Any:
        if _not_utf8(data):
            fields = (
                [k for k, v in data.items() if not _not_utf8(k) and _not_utf8(v)]
                if isinstance(data, dict)
                else []
            )
            raise PydanticCustomError(
                "unicode",
                i18n.gettext(
                    "Texte invalide : caractère Unicode isolé (demi-paire UTF-16) interdit{where}."
                ),
                {"where": f" ({', '.join(fields)})" if fields else ""},
            )
        return data


# ---- output models --------------------------------------------------------------------------


class Exact(BaseModel):
    exact: str = Field(description="Exact fraction string.", examples=["19/27"])
    display: str = Field(description="Rounded to two places, for display only.", examples=["70.37"])


class ErrorItem(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    detail: str
    errors: list[ErrorItem] | None = None


# ---- views ----------------------------------------------------------------------------------


def local_time(value: datetime | None, org: Organisation) -> str | None:
    """ISO 8601 in the organisation's time zone, with its offset."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(org.timezone)).isoformat()


def exact_or_none(text: str | None) -> Exact | None:
    return None if text is None else Exact(**exact(parse_exact(text, "value")))


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid API token."},
    403: {"model": ErrorBody, "description": "Authenticated but not allowed; says why."},
    404: {"model": ErrorBody, "description": "Unknown organisation or object."},
    422: {"model": ErrorBody, "description": "Invalid input: every field and rule."},
}
CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The current state forbids it (duplicate, phase)."}
}
BODY_RESPONSE: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body cannot be read as JSON text (not UTF-8)."}
}
"""Routes that read a JSON body: FastAPI answers 400 when the bytes are not even text."""
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {**BODY_RESPONSE, **CONFLICT_RESPONSE}
