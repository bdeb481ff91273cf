"""Domain errors: each carries a message a member can read, and the field it is about.

The web layer maps them to a form message or an HTTP status: validation → 422, permission → 403,
not found → 404, conflict (wrong phase, closed, duplicate) → 409, too many attempts → 429.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from governance.i18n import Message


@dataclass(frozen=True)
class FieldProblem:
    """One field of an input and the rule it breaks."""

    field: str
    message: Message


class DomainError(Exception):
    """Base of every refusal the domain explains to the user."""

    status = 400

    def __init__(self, message: Message, *, field: str | None = None) -> None:
        super().__init__(message.render())
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """Input breaks one or more rules; lists every field and rule, not just the first."""

    status = 422

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        if not problems:
            raise ValueError("a ValidationError needs at least one problem")
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = tuple(problems)

    @classmethod
    def single(cls, field: str, message: Message) -> ValidationError:
        return cls([FieldProblem(field, message)])


class PermissionDeniedError(DomainError):
    """The actor is authenticated but may not do this here."""

    status = 403


class AuthenticationError(DomainError):
    """No valid credentials (the message never says whether the account exists)."""

    status = 401


class NotFoundError(DomainError):
    """The object does not exist, or is not visible to the actor (never leak existence)."""

    status = 404


class ConflictError(DomainError):
    """The state forbids it: wrong phase, already closed, duplicate."""

    status = 409


class RateLimitedError(DomainError):
    """Too many attempts; try again in ``retry_after`` seconds."""

    status = 429

    def __init__(self, message: Message, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
