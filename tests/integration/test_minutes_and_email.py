"""Procès-verbal and feuille de présence (HTML, PDF, CSV), and convocations over real SMTP."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Callable, Iterator

import pytest
from aiosmtpd.controller import Controller

from governance.errors import PermissionDeniedError
from governance.exports import minutes
from governance.mail import SmtpMailer
from governance.services import assemblies as ga
from governance.store.uow import UnitOfWork
from tests.factories import BASE_URL, LINKS, actor_of, make_assembly_org
from tests.integration.test_assemblies import opened, run, vote

Uow = Callable[[], UnitOfWork]


def closed_assembly(uow: Uow):
    fx, people = make_assembly_org(uow)
    assembly_id, (rid,) = opened(uow, fx, people)
    run(
        uow,
        ga.update_minutes,
        fx,
        assembly_id=assembly_id,
        chair="Ana Présidente",
        secretary_name="Bob Secrétaire",
        debates="Débat <b>animé</b> sur les comptes.",
    )
    for member in people["Fondateurs"]:
        vote(uow, fx, member, rid, "for")
    vote(uow, fx, people["Salariés"][0], rid, "against")
    run(uow, ga.close_assembly, fx, assembly_id=assembly_id)
    return fx, people, assembly_id


def data_for(uow: Uow, fx, assembly_id: int, actor=None) -> minutes.MinutesData:
    with uow() as u:
        data = minutes.minutes_data(
            u, actor=actor or fx.admin_actor, org=u.session.merge(fx.org), assembly_id=assembly_id
        )
        # Load what the templates read while the session is open.
        for record in data.resolutions:
            _ = record.resolution.title
        return data


def test_the_minutes_show_quorum_per_college_table_rule_and_audit_head(uow: Uow) -> None:
    fx, people, assembly_id = closed_assembly(uow)
    data = data_for(uow, fx, assembly_id)
    html = minutes.render_minutes_html(data)
    assert "Quorum atteint" in html
    assert "Résultat par collège" in html and "Fondateurs" in html and "Salariés" in html
    assert "La résolution est adoptée." in html
    assert "statuts version 1" in html
    assert data.head_hash in html and len(data.head_hash) == 64
    assert "Ana Présidente" in html
    assert "<b>animé</b>" not in html and "&lt;b&gt;animé&lt;/b&gt;" in html  # autoescaped


def test_the_minutes_render_to_pdf(uow: Uow) -> None:
    fx, people, assembly_id = closed_assembly(uow)
    pdf = minutes.html_to_pdf(minutes.render_minutes_html(data_for(uow, fx, assembly_id)))
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_the_attendance_sheet_csv_opens_in_french_spreadsheets(uow: Uow) -> None:
    fx, people, assembly_id = closed_assembly(uow)
    data = data_for(uow, fx, assembly_id)
    raw = minutes.attendance_csv(data)
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:3] == ["associé", "collège", "participation"]
    assert "total présent(e);9" in lines
    pdf = minutes.html_to_pdf(minutes.render_attendance_html(data))
    assert pdf.startswith(b"%PDF")


def test_members_read_the_minutes_only_once_published(uow: Uow) -> None:
    fx, people, assembly_id = closed_assembly(uow)
    member = people["Bénéficiaires"][0]
    with pytest.raises(PermissionDeniedError):
        data_for(uow, fx, assembly_id, actor=actor_of(member.user))
    run(uow, ga.publish_minutes, fx, assembly_id=assembly_id)
    assert (
        data_for(uow, fx, assembly_id, actor=actor_of(member.user)).assembly.status == "published"
    )


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 — aiosmtpd API
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, Inbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}?from=ag@coop.example", inbox
    finally:
        controller.stop()


def test_convocations_go_out_over_smtp_with_the_agenda(session_factory, clock, smtp_server) -> None:
    url, inbox = smtp_server

    def uow() -> UnitOfWork:
        return UnitOfWork(session_factory, clock=clock, mailer=SmtpMailer(url))

    fx, people = make_assembly_org(uow)
    inbox.messages.clear()  # invitations of the members
    assembly_id = run(
        uow,
        ga.create_assembly,
        fx,
        title="AG annuelle",
        kind="AGO",
        convocation=1,
        scheduled_at="2026-06-20T14:00:00+02:00",
    ).id
    run(
        uow,
        ga.add_resolution,
        fx,
        assembly_id=assembly_id,
        title="Approbation des comptes",
        text="L'assemblée approuve les comptes.",
    )
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    assert len(inbox.messages) == 9
    sender, recipients, content = inbox.messages[0]
    assert sender == "ag@coop.example"
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert message["Subject"] == "Convocation : AG annuelle — Coop du Terreau"
    body = message.get_content()
    assert "1. Approbation des comptes" in body and f"{BASE_URL}/orgs/coop/assemblies/" in body
    assert {r for _s, rs, _c in inbox.messages for r in rs} == {
        m.user.email for ms in people.values() for m in ms
    }
