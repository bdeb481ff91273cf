"""Importing the registre des associés from CSV rows: every row checked before any is added."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from governance.errors import FieldProblem, ValidationError
from governance.i18n import M, Message
from governance.rules.audit_events import AuditAction
from governance.services.authz import Actor, require_admin
from governance.services.links import Links
from governance.services.members.admission import insert_member
from governance.services.members.common import Lookup, MemberInput, Resolved, resolve
from governance.store.tables import Member, Organisation, User
from governance.store.uow import UnitOfWork

IMPORT_COLUMNS = (
    "name",
    "email",
    "associate",
    "category",
    "college",
    "shares",
    "legal_person",
    "representative_name",
    "admitted_on",
)
TRUE_WORDS = {"1", "true", "oui", "yes", "vrai", "x"}
FALSE_WORDS = {"0", "false", "non", "no", "faux", ""}


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    message: Message


@dataclass
class ImportReport:
    imported: list[Member]
    rejected: list[tuple[int, Mapping[str, str], list[RowProblem]]]


def _boolean(raw: str | None, column: str, default: bool, problems: list[FieldProblem]) -> bool:
    value = (raw or "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    problems.append(FieldProblem(column, M("« {value} » : oui ou non attendu.", value=raw)))
    return default


def import_members(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    rows: Iterable[tuple[int, Mapping[str, str]]],
    links: Links | None = None,
    skip_invalid: bool = False,
    invite: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import rows of the registre des associés (line number, column → value).

    Every row is validated first. With any invalid row nothing is imported (ValidationError
    listing every problem with its line) unless ``skip_invalid``: then the valid rows are
    imported and the rejected ones reported.
    """
    require_admin(uow.session, actor, org)
    lookup = Lookup(uow, org)
    existing = {
        email
        for (email,) in uow.session.execute(
            select(Member.user_id).where(Member.org_id == org.id)
        ).all()
    }
    existing_emails = {
        u.email for u in uow.session.execute(select(User).where(User.id.in_(existing))).scalars()
    }
    valid: list[Resolved] = []
    rejected: list[tuple[int, Mapping[str, str], list[RowProblem]]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        problems: list[FieldProblem] = []
        unknown = sorted(k for k in row if k and k not in IMPORT_COLUMNS)
        if unknown:
            problems.append(
                FieldProblem(unknown[0], M("Colonne inconnue : {cols}.", cols=", ".join(unknown)))
            )
        associate = _boolean(row.get("associate"), "associate", True, problems)
        legal = _boolean(row.get("legal_person"), "legal_person", False, problems)
        resolved = None
        try:
            resolved = resolve(
                MemberInput(
                    name=row.get("name") or "",
                    email=row.get("email") or "",
                    associate=associate,
                    category=row.get("category"),
                    college=row.get("college"),
                    shares=row.get("shares"),
                    legal_person=legal,
                    representative_name=row.get("representative_name"),
                    admitted_on=row.get("admitted_on"),
                ),
                lookup,
            )
        except ValidationError as error:
            problems.extend(error.problems)
        if resolved is not None:
            if resolved.email in existing_emails:
                problems.append(
                    FieldProblem("email", M("{email} est déjà membre.", email=resolved.email))
                )
            elif resolved.email in seen:
                problems.append(
                    FieldProblem(
                        "email",
                        M(
                            "{email} figure déjà à la ligne {line}.",
                            email=resolved.email,
                            line=seen[resolved.email],
                        ),
                    )
                )
            else:
                seen[resolved.email] = line
        if problems or resolved is None:
            rejected.append((line, row, [RowProblem(line, p.field, p.message) for p in problems]))
        else:
            valid.append(resolved)
    if rejected and not skip_invalid:
        raise ValidationError(
            [
                FieldProblem(
                    f"line {p.line}: {p.field}",
                    M(
                        "ligne {line}, {field} : {message}",
                        line=p.line,
                        field=p.field,
                        message=p.message,
                    ),
                )
                for _line, _row, row_problems in rejected
                for p in row_problems
            ]
        )
    imported = []
    for index, data in enumerate(valid, start=1):
        imported.append(
            insert_member(uow, actor=actor, org=org, data=data, links=links, invite=invite)
        )
        if progress is not None:
            progress(index)
    uow.record(
        actor=actor.label,
        action=AuditAction.MEMBERS_IMPORTED,
        subject_type="organisation",
        subject_id=org.id,
        org_id=org.id,
        payload={"imported": len(imported), "rejected_lines": [line for line, _r, _p in rejected]},
    )
    return ImportReport(imported=imported, rejected=rejected)
