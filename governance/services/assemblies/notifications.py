"""The emails of a general assembly: convocation, vote opened, last-day reminder, vote closed.

Texts are templates (``governance/templates/emails``), plain text, not HTML-escaped (a name such
as « L'Atelier » must read as typed); the first line of each template is its subject.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from governance.mail import EmailMessage
from governance.rules import assemblies as rules
from governance.services.links import Links
from governance.store.tables import Assembly, Member, Organisation, Resolution
from governance.store.uow import UnitOfWork

from ._common import local_time

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"
_SUBJECT_PREFIX = "{# subject:"


@cache
def _environment() -> Environment:
    # Plain-text emails: autoescape off on purpose (HTML entities would show in the text).
    return Environment(  # noqa: S701
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
    )


def render_email(name: str, to: str, **context: Any) -> EmailMessage:
    """The email of template ``name``: the subject from its first line, the body from the rest."""
    environment = _environment()
    source, _filename, _uptodate = environment.loader.get_source(  # type: ignore[union-attr]
        environment, f"{name}.txt"
    )
    first, _, _rest = source.partition("\n")
    if not first.startswith(_SUBJECT_PREFIX):
        raise ValueError(f"email template {name} has no subject line")
    subject_source = first[len(_SUBJECT_PREFIX) :].rsplit("#}", 1)[0].strip()
    subject = environment.from_string(subject_source).render(**context)
    body = environment.get_template(f"{name}.txt").render(**context).lstrip("\n")
    return EmailMessage(to=to, subject=subject, body=body)


def send_convocations(
    uow: UnitOfWork,
    org: Organisation,
    assembly: Assembly,
    agenda: list[Resolution],
    recipients: list[Member],
    links: Links | None,
) -> None:
    link = links.assembly(org.slug, assembly.id) if links else ""
    for member in recipients:
        uow.send_after_commit(
            render_email(
                "convocation",
                member.user.email,
                member=member,
                org=org,
                assembly=assembly,
                agenda=agenda,
                kind_label=rules.ASSEMBLY_KIND_LABELS[assembly.kind],
                when=local_time(assembly.scheduled_at, org),
                link=link,
            )
        )


def send_vote_opened(
    uow: UnitOfWork,
    org: Organisation,
    resolution: Resolution,
    recipients: list[Member],
    links: Links | None,
) -> None:
    assert resolution.deadline is not None
    link = links.assembly(org.slug, resolution.assembly_id) if links else ""
    when = local_time(resolution.deadline, org)
    for member in recipients:
        uow.send_after_commit(
            render_email(
                "vote_opened",
                member.user.email,
                member=member,
                org=org,
                resolution=resolution,
                when=when,
                link=link,
            )
        )


def send_reminder(
    uow: UnitOfWork, org: Organisation, resolution: Resolution, member: Member, links: Links | None
) -> None:
    assert resolution.deadline is not None
    uow.send_after_commit(
        render_email(
            "reminder",
            member.user.email,
            member=member,
            org=org,
            resolution=resolution,
            when=local_time(resolution.deadline, org),
            link=links.assembly(org.slug, resolution.assembly_id) if links else "",
        )
    )


def send_vote_closed(
    uow: UnitOfWork,
    org: Organisation,
    resolution: Resolution,
    recipients: list[Member],
    links: Links | None,
) -> None:
    link = links.results(org.slug, resolution.assembly_id, resolution.id) if links else ""
    for member in recipients:
        uow.send_after_commit(
            render_email(
                "vote_closed",
                member.user.email,
                member=member,
                org=org,
                resolution=resolution,
                link=link,
            )
        )
