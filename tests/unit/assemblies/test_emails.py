"""The assembly emails read exactly as before they became templates: subject and body."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace as Row

from governance.services.assemblies.notifications import render_email

MEMBER = Row(name="Ana")
ORG = Row(name="Coop", timezone="Europe/Paris")
RESOLUTION = Row(title="Budget", adopted=True)
WHEN = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


def test_the_convocation_lists_the_agenda_then_the_link_after_a_blank_line() -> None:
    mail = render_email(
        "convocation",
        "ana@example.org",
        member=MEMBER,
        org=ORG,
        assembly=Row(title="AG 2026", place="Salle"),
        agenda=[Row(position=1, title="Comptes")],
        kind_label="Assemblée générale ordinaire",
        when=WHEN,
        link="http://x/a",
    )
    assert mail.subject == "Convocation : AG 2026 — Coop"
    assert mail.body == (
        "Bonjour Ana,\n\nVous êtes convoqué(e) à l'Assemblée générale ordinaire « AG 2026 » de "
        "Coop, le 01/06/2026 à 14:00 (Europe/Paris), Salle.\n\nOrdre du jour :\n  1. Comptes\n\n"
        "Consultez les documents, donnez pouvoir ou votez : http://x/a\n"
    )


def test_the_vote_emails_keep_a_blank_line_before_their_link() -> None:
    opened = render_email(
        "vote_opened", "a@b", member=MEMBER, org=ORG, resolution=RESOLUTION, when=WHEN, link="L"
    )
    reminder = render_email(
        "reminder", "a@b", member=MEMBER, org=ORG, resolution=RESOLUTION, when=WHEN, link="L"
    )
    closed = render_email(
        "vote_closed", "a@b", member=MEMBER, org=ORG, resolution=RESOLUTION, link="L"
    )
    assert opened.body == (
        "Bonjour Ana,\n\nLe vote sur la résolution « Budget » est ouvert jusqu'au 01/06/2026 à "
        "14:00 (Europe/Paris).\n\nVotez ici : L\n"
    )
    assert reminder.subject == "Dernier jour pour voter : Budget — Coop"
    assert reminder.body.endswith("et vous n'avez pas encore voté.\n\nVotez ici : L\n")
    assert closed.subject == "Vote clos : Budget — Coop"
    assert closed.body == (
        "Bonjour Ana,\n\nLe vote sur la résolution « Budget » est clos : résolution adoptée.\n\n"
        "Résultat détaillé par collège : L\n"
    )
