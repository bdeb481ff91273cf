"""Foundation services on both databases: organisations, statutes, members, accounts, audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DatabaseError

from governance.errors import (
    AuthenticationError,
    ConflictError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
)
from governance.services import accounts, audit, members, orgs
from governance.services.authz import SYSTEM
from governance.store.tables import AuditEvent, College, Member
from governance.store.uow import UnitOfWork, org_chain
from tests.factories import BASE_URL, LINKS, PASSWORD, actor_of, add_member, make_org, make_user

Uow = Callable[[], UnitOfWork]


def events(uow: Uow, org_id: int) -> list[str]:
    with uow() as u:
        return list(
            u.session.execute(
                select(AuditEvent.action)
                .where(AuditEvent.chain == org_chain(org_id))
                .order_by(AuditEvent.seq)
            ).scalars()
        )


def test_creating_an_organisation_makes_its_creator_admin_and_logs_it(uow: Uow) -> None:
    fx = make_org(uow)
    with uow() as u:
        roles = orgs.list_colleges(u, actor=fx.admin_actor, org=fx.org)
        assert [v.college.name for v in roles] == [
            "Fondateurs",
            "Partenaires",
            "Bénéficiaires",
            "Salariés",
        ]
        assert [str(v.weight) for v in roles] == ["40", "25", "25", "10"]
    logged = events(uow, fx.org.id)
    assert logged[:2] == ["organisation.created", "member.added"]
    assert logged.count("college.created") == 4 and logged.count("statutes.edited") == 4


def test_only_a_superuser_creates_an_organisation(uow: Uow) -> None:
    user = make_user(uow, "someone@example.org")
    with uow() as u, pytest.raises(PermissionDeniedError):
        orgs.create_org(u, actor=actor_of(user), slug="x", name="X", legal_form="SCIC_SA")


def test_bad_organisation_input_names_every_field(uow: Uow) -> None:
    admin = make_user(uow, "root@example.org", superuser=True)
    with uow() as u, pytest.raises(ValidationError) as error:
        orgs.create_org(
            u,
            actor=actor_of(admin),
            slug="-Bad-",
            name=" ",
            legal_form="SCI",
            timezone="Mars/Olympus",
        )
    assert {p.field for p in error.value.problems} == {"slug", "name", "legal_form", "timezone"}


def test_a_scic_college_outside_the_bounds_is_refused_and_nothing_is_written(uow: Uow) -> None:
    fx = make_org(uow, colleges=(("A", "40"), ("B", "30")))
    before = events(uow, fx.org.id)
    with uow() as u, pytest.raises(ValidationError) as error:
        orgs.add_college(u, actor=fx.admin_actor, org=fx.org, name="C", weight="60")
    assert error.value.problems[0].field == "weight"
    assert "C pèse 60 %" in error.value.problems[0].message.render()
    with uow() as u:
        assert u.session.execute(select(College).where(College.name == "C")).first() is None
    assert events(uow, fx.org.id) == before


def test_setup_mode_edits_statutes_directly_then_only_drafts(uow: Uow) -> None:
    fx = make_org(uow)
    with uow() as u:
        org = u.session.merge(fx.org)
        orgs.update_current_statutes(
            u,
            actor=fx.admin_actor,
            org=org,
            patch={"allow_remote": True, "quorum": {"AGO": {"1": "1/5"}}},
        )
        u.commit()
    with uow() as u:
        org = u.session.merge(fx.org)
        view = orgs.view_statutes(u, actor=fx.admin_actor, org=org)
        assert view.statutes.allow_remote and view.statutes.quorum["AGO"]["1"] == "1/5"
        org.setup_closed_at = u.now()
        u.commit()
    with uow() as u:
        org = u.session.merge(fx.org)
        with pytest.raises(ConflictError):
            orgs.update_current_statutes(
                u, actor=fx.admin_actor, org=org, patch={"allow_remote": False}
            )
        orgs.save_draft(
            u,
            actor=fx.admin_actor,
            org=org,
            patch={"colleges": {"Fondateurs": "35", "Salariés": "15"}},
        )
        u.commit()
    with uow() as u:
        view = orgs.view_statutes(u, actor=fx.admin_actor, org=u.session.merge(fx.org))
        assert view.current.number == 1 and view.statutes.allow_remote
        assert view.draft is not None and view.draft.number == 2
        assert view.draft_statutes is not None
        weights = {cw.name: str(cw.weight) for cw in view.draft_statutes.colleges}
        assert weights == {
            "Fondateurs": "35",
            "Partenaires": "25",
            "Bénéficiaires": "25",
            "Salariés": "15",
        }
    assert events(uow, fx.org.id)[-1] == "statutes.draft_saved"


def test_an_incomplete_draft_is_kept_but_cannot_be_put_to_the_vote(uow: Uow) -> None:
    from governance.services import assemblies as ga

    fx = make_org(uow)
    with uow() as u:
        org = u.session.merge(fx.org)
        orgs.save_draft(u, actor=fx.admin_actor, org=org, patch={"colleges": {"Fondateurs": "30"}})
        u.commit()
    with uow() as u:
        view = orgs.view_statutes(u, actor=fx.admin_actor, org=u.session.merge(fx.org))
        assert [f.code for f in view.draft_findings if f.severity == "error"] == ["weights_sum"]
        assembly = ga.create_assembly(
            u,
            actor=fx.admin_actor,
            org=u.session.merge(fx.org),
            title="AGE",
            kind="AGE",
            convocation=1,
            scheduled_at="2026-07-01T18:00:00+02:00",
        )
        with pytest.raises(ConflictError) as error:
            ga.add_resolution(
                u,
                actor=fx.admin_actor,
                org=u.session.merge(fx.org),
                assembly_id=assembly.id,
                title="Statuts",
                text="Adopte.",
                kind="statutes_change",
                adopts_statutes_draft=True,
            )
    assert "90 %" in str(error.value)


def test_a_college_added_after_setup_goes_into_the_draft(uow: Uow) -> None:
    fx = make_org(uow)
    with uow() as u:
        org = u.session.merge(fx.org)
        org.setup_closed_at = u.now()
        u.commit()
    with uow() as u:
        org = u.session.merge(fx.org)
        orgs.add_college(u, actor=fx.admin_actor, org=org, name="Fournisseurs", weight="10")
        orgs.save_draft(u, actor=fx.admin_actor, org=org, patch={"colleges": {"Fondateurs": "30"}})
        u.commit()
    with uow() as u:
        view = orgs.view_statutes(u, actor=fx.admin_actor, org=u.session.merge(fx.org))
        assert len(view.statutes.colleges) == 4  # in force: unchanged
        assert view.draft_statutes is not None and len(view.draft_statutes.colleges) == 5
        assert not [f for f in view.draft_findings if f.severity == "error"]


def test_adding_a_member_invites_them_after_commit(uow: Uow, outbox) -> None:
    fx = make_org(uow)
    with uow() as u:
        members.add_member(
            u,
            actor=fx.admin_actor,
            org=u.session.merge(fx.org),
            links=LINKS,
            data=members.MemberInput(
                name="Léa Martin",
                email="LEA@example.org",
                category="Bénéficiaires",
                college="Bénéficiaires",
            ),
        )
        assert outbox.messages == []  # nothing leaves before the transaction commits
        u.commit()
    assert [m.to for m in outbox.messages] == ["lea@example.org"]
    assert f"{BASE_URL}/invitation/" in outbox.messages[0].body


def test_an_associate_needs_a_category_and_a_college(uow: Uow) -> None:
    fx = make_org(uow)
    with uow() as u, pytest.raises(ValidationError) as error:
        members.add_member(
            u,
            actor=fx.admin_actor,
            org=u.session.merge(fx.org),
            links=LINKS,
            data=members.MemberInput(name="X", email="x@example.org"),
        )
    assert {p.field for p in error.value.problems} == {"category", "college"}


def test_members_are_filtered_by_college_and_category(uow: Uow) -> None:
    fx = make_org(uow)
    add_member(uow, fx, "Ana", category="Fondateurs", college="Fondateurs")
    add_member(uow, fx, "Bob", category="Bénéficiaires", college="Bénéficiaires")
    add_member(uow, fx, "Cid", category="Salariés", college="Salariés")
    with uow() as u:
        org = u.session.merge(fx.org)
        by_college = members.list_members(
            u, actor=fx.admin_actor, org=org, college=fx.colleges["Salariés"].id
        )
        by_category = members.list_members(
            u, actor=fx.admin_actor, org=org, category=fx.categories["Fondateurs"].id
        )
        assert [m.name for m in by_college] == ["Cid"]
        assert [m.name for m in by_category] == ["Ana"]


def test_a_plain_member_cannot_add_members_or_edit_statutes(uow: Uow) -> None:
    fx = make_org(uow)
    member = add_member(uow, fx, "Ana")
    actor = actor_of(member.user)
    with uow() as u:
        org = u.session.merge(fx.org)
        with pytest.raises(PermissionDeniedError):
            members.add_member(
                u,
                actor=actor,
                org=org,
                links=LINKS,
                data=members.MemberInput(name="Y", email="y@example.org"),
            )
        with pytest.raises(PermissionDeniedError):
            orgs.update_current_statutes(u, actor=actor, org=org, patch={"allow_remote": True})
        assert len(members.list_members(u, actor=actor, org=org)) == 2


def test_a_member_of_one_organisation_cannot_read_another(uow: Uow) -> None:
    a = make_org(uow, slug="coop-a")
    b = make_org(uow, slug="coop-b")
    member = add_member(uow, a, "Ana")
    with uow() as u:
        with pytest.raises(PermissionDeniedError):
            members.list_members(u, actor=actor_of(member.user), org=u.session.merge(b.org))
        with pytest.raises(PermissionDeniedError):
            orgs.view_statutes(u, actor=actor_of(a.admin), org=u.session.merge(b.org))


def test_departure_keeps_the_member_out_of_lists_and_logs_the_reason(uow: Uow) -> None:
    fx = make_org(uow)
    member = add_member(uow, fx, "Ana")
    with uow() as u:
        members.update_member(
            u,
            actor=fx.admin_actor,
            org=u.session.merge(fx.org),
            member_id=member.id,
            departure=members.Departure(on="2026-06-15", reason="Démission", shares_returned=1),
        )
        u.commit()
    with uow() as u:
        names = [
            m.name
            for m in members.list_members(u, actor=fx.admin_actor, org=u.session.merge(fx.org))
        ]
        assert "Ana" not in names
    assert events(uow, fx.org.id)[-1] == "member.departed"


def depart(uow: Uow, fx, member_id: int, on: str) -> None:
    with uow() as u:
        members.update_member(
            u,
            actor=fx.admin_actor,
            org=u.session.merge(fx.org),
            member_id=member_id,
            departure=members.Departure(on=on, reason="Démission"),
        )
        u.commit()


def admit(uow: Uow, fx, name: str, admitted_on: str | None) -> Member:
    with uow() as u:
        member = members.add_member(
            u,
            actor=fx.admin_actor,
            org=u.session.merge(fx.org),
            links=LINKS,
            data=members.MemberInput(
                name=name,
                email=f"{name.lower()}@example.org",
                category="Salariés",
                college="Salariés",
                admitted_on=admitted_on,
            ),
        )
        u.commit()
    return member


def refusal(action: Callable[[], object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as error:
        action()
    return {p.field: p.message.render() for p in error.value.problems}


def test_a_departure_before_the_admission_or_in_the_future_is_refused(uow: Uow) -> None:
    fx = make_org(uow)
    ana = admit(uow, fx, "Ana", "2026-01-10")
    before = events(uow, fx.org.id)

    early = refusal(lambda: depart(uow, fx, ana.id, "2026-01-09"))
    future = refusal(lambda: depart(uow, fx, ana.id, "2026-06-16"))  # the clock: 15 June 2026
    undated = refusal(lambda: depart(uow, fx, ana.id, " "))

    assert early == {
        "departure.on": "La date de départ (2026-01-09) ne peut pas précéder l'admission, le "
        "2026-01-10."
    }
    assert future == {
        "departure.on": "La date de départ (2026-06-16) ne peut pas être dans le futur : au plus "
        "tard aujourd'hui, 2026-06-15."
    }
    assert undated == {"departure.on": "Indiquez la date du départ."}
    assert events(uow, fx.org.id) == before
    depart(uow, fx, ana.id, "2026-01-10")  # the day of the admission itself is allowed
    assert events(uow, fx.org.id)[-1] == "member.departed"


def test_today_is_the_organisations_day_not_utcs(uow: Uow, clock) -> None:
    fx = make_org(uow)  # Europe/Paris
    ana = admit(uow, fx, "Ana", None)
    clock.now = datetime(2026, 6, 15, 22, 30, tzinfo=UTC)  # already 16 June in Paris
    late = admit(uow, fx, "Bea", None)
    assert (ana.admitted_on, late.admitted_on) == (date(2026, 6, 15), date(2026, 6, 16))
    assert refusal(lambda: depart(uow, fx, ana.id, "2026-06-17"))
    depart(uow, fx, ana.id, "2026-06-16")
    assert events(uow, fx.org.id)[-1] == "member.departed"


def test_an_admission_in_the_future_is_refused(uow: Uow) -> None:
    fx = make_org(uow)

    problems = refusal(lambda: admit(uow, fx, "Ana", "2026-06-16"))

    assert problems == {
        "admitted_on": "La date d'admission (2026-06-16) ne peut pas être dans le futur : au "
        "plus tard aujourd'hui, 2026-06-15."
    }
    assert admit(uow, fx, "Ana", "2026-06-15").admitted_on == date(2026, 6, 15)


def test_csv_import_reports_every_bad_line_and_imports_nothing(uow: Uow) -> None:
    fx = make_org(uow)
    rows = [
        (
            2,
            {
                "name": "Ana",
                "email": "ana@example.org",
                "category": "Fondateurs",
                "college": "Fondateurs",
            },
        ),
        (3, {"name": "", "email": "nope", "category": "Fondateurs", "college": "Fondateurs"}),
        (
            4,
            {
                "name": "Cid",
                "email": "cid@example.org",
                "category": "Inconnue",
                "college": "Salariés",
            },
        ),
    ]
    with uow() as u, pytest.raises(ValidationError) as error:
        members.import_members(
            u, actor=fx.admin_actor, org=u.session.merge(fx.org), rows=rows, links=LINKS
        )
    texts = [p.message.render() for p in error.value.problems]
    assert any(t.startswith("ligne 3, name") for t in texts)
    assert any(t.startswith("ligne 3, email") for t in texts)
    assert any(t.startswith("ligne 4, category") for t in texts)
    with uow() as u:
        count = u.session.execute(select(func.count()).select_from(Member)).scalar_one()
        assert count == 1  # only the admin created with the organisation
    with uow() as u:
        report = members.import_members(
            u,
            actor=fx.admin_actor,
            org=u.session.merge(fx.org),
            rows=rows,
            links=LINKS,
            skip_invalid=True,
        )
        u.commit()
    assert [m.name for m in report.imported] == ["Ana"]
    assert [line for line, _row, _p in report.rejected] == [3, 4]


def test_login_checks_the_password_and_never_reveals_whether_an_account_exists(
    uow: Uow,
) -> None:
    make_user(uow, "ana@example.org")
    with uow() as u:
        assert accounts.authenticate(
            u, email="ana@example.org", password=PASSWORD, address="1.2.3.4"
        ).session_token
    messages = []
    for email in ("ana@example.org", "ghost@example.org"):
        with uow() as u, pytest.raises(AuthenticationError) as error:
            accounts.authenticate(u, email=email, password="wrong-password", address="1.2.3.4")
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_login_is_rate_limited_per_account(uow: Uow) -> None:
    make_user(uow, "ana@example.org")
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        with uow() as u, pytest.raises(AuthenticationError):
            accounts.authenticate(
                u, email="ana@example.org", password="bad-password-x", address="10.0.0.1"
            )
    with uow() as u, pytest.raises(RateLimitedError):
        accounts.authenticate(u, email="ana@example.org", password=PASSWORD, address="10.0.0.2")


def test_api_tokens_are_stored_hashed_scoped_and_revocable(uow: Uow) -> None:
    fx = make_org(uow)
    with uow() as u:
        issued = accounts.create_api_token(u, actor=SYSTEM, user_id=fx.admin.id, org=fx.org)
        u.commit()
    assert issued.row.token_hash != issued.token and issued.token.startswith("trr_")
    with uow() as u:
        actor = accounts.actor_for_token(u, issued.token)
        assert actor.user_id == fx.admin.id and actor.token_org_id == fx.org.id
        accounts.revoke_api_token(u, actor=SYSTEM, token_id=issued.row.id)
        u.commit()
    with uow() as u, pytest.raises(AuthenticationError):
        accounts.actor_for_token(u, issued.token)


def test_every_change_is_chained_and_the_chain_verifies(uow: Uow) -> None:
    fx = make_org(uow)
    add_member(uow, fx, "Ana")
    with uow() as u:
        report = audit.verify_org(u, actor=fx.admin_actor, org=u.session.merge(fx.org))
    assert report.ok and report.events == len(events(uow, fx.org.id)) and report.head_seq > 5


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'forged' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
        "DELETE FROM audit_events",  # SQLite's truncate optimisation skips tables with triggers
    ],
)
def test_the_database_refuses_to_change_or_delete_an_event(
    uow: Uow, engine, statement: str
) -> None:
    make_org(uow)
    with pytest.raises(DatabaseError) as error, engine.begin() as conn:
        conn.execute(text(statement))
    assert "append-only" in str(error.value)


# PostgreSQL only: SQLite has no TRUNCATE (a DELETE without WHERE is refused above).
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_events",
        "TRUNCATE audit_heads, audit_events",
        "TRUNCATE organisations CASCADE",
    ],
)
def test_postgresql_refuses_to_truncate_the_events(
    uow: Uow, engine: Engine, statement: str
) -> None:
    assert engine.dialect.name == "postgresql"
    fx = make_org(uow)
    before = events(uow, fx.org.id)
    with pytest.raises(DatabaseError) as error, engine.begin() as conn:
        conn.execute(text(statement))
    assert "append-only" in str(error.value)
    assert events(uow, fx.org.id) == before and before


def delete_chain(engine: Engine, chain: str, *, head_too: bool) -> None:
    """Delete a whole chain past its triggers, as an attacker with database access would."""
    with engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:  # disabled only inside this transaction: the next tests keep the trigger
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:  # the database file is this test's own copy
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        conn.execute(text("DELETE FROM audit_events WHERE chain = :c"), {"c": chain})
        if head_too:
            conn.execute(text("DELETE FROM audit_heads WHERE chain = :c"), {"c": chain})
        if postgres:
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))


@pytest.mark.parametrize("head_too", [False, True], ids=["events", "events-and-head"])
def test_verification_names_an_organisation_whose_whole_chain_was_deleted(
    uow: Uow, engine: Engine, head_too: bool
) -> None:
    kept = make_org(uow, slug="gardee", name="Coop gardée")
    erased = make_org(uow, slug="effacee", name="Coop effacée")
    chain = org_chain(erased.org.id)
    delete_chain(engine, chain, head_too=head_too)
    with uow() as u:
        chains = audit.all_chains(u)
        reports = {c: audit.verify_chain(u, c) for c in chains}
    assert set(chains) == {"site", org_chain(kept.org.id), chain}
    assert reports["site"].ok and reports[org_chain(kept.org.id)].ok
    broken = reports[chain]
    messages = [f.message.render() for f in broken.findings]
    assert not broken.ok and broken.events == 0
    assert any("effacee" in m and "aucun événement" in m for m in messages), messages
    assert any("tête" in m and "absente" in m for m in messages) == head_too, messages


def test_an_empty_site_chain_is_not_a_finding_but_a_missing_organisation_head_is(
    uow: Uow, engine: Engine
) -> None:
    fx = make_org(uow)
    with engine.begin() as conn:  # audit_heads has no trigger: a head can be removed
        conn.execute(text("DELETE FROM audit_heads WHERE chain = :c"), {"c": org_chain(fx.org.id)})
    with uow() as u:
        report = audit.verify_chain(u, org_chain(fx.org.id))
        fresh = audit.verify_chain(u, "nowhere")
    assert not report.ok and report.events > 0
    assert [f.message.render() for f in report.findings] == [
        f"La tête de la chaîne {org_chain(fx.org.id)} (coop) est absente : le journal d'audit a "
        "été altéré."
    ]
    assert fresh.ok and fresh.events == 0


def test_a_failed_use_case_leaves_no_event_and_no_row(uow: Uow) -> None:
    fx = make_org(uow)
    before = events(uow, fx.org.id)
    with uow() as u, pytest.raises(ValidationError):
        org = u.session.merge(fx.org)
        orgs.add_category(u, actor=fx.admin_actor, org=org, name="Pionniers", kind="other")
        orgs.add_category(u, actor=fx.admin_actor, org=org, name="", kind="bogus")
    assert events(uow, fx.org.id) == before


def test_a_member_who_left_can_be_admitted_again(uow: Uow) -> None:
    fx = make_org(uow)
    member = add_member(uow, fx, "Ana")
    depart(uow, fx, member.id, "2026-06-15")
    with uow() as u:
        again = members.add_member(
            u,
            actor=fx.admin_actor,
            org=u.session.merge(fx.org),
            links=LINKS,
            data=members.MemberInput(
                name="Ana", email=member.user.email, category="Salariés", college="Salariés"
            ),
        )
        u.commit()
    assert again.id == member.id and again.departed_on is None
    assert events(uow, fx.org.id)[-1] == "member.readmitted"


def test_a_readmission_cannot_be_dated_before_the_departure(uow: Uow) -> None:
    fx = make_org(uow)
    member = add_member(uow, fx, "Ana")
    depart(uow, fx, member.id, "2026-06-15")
    before = events(uow, fx.org.id)
    with uow() as u, pytest.raises(ValidationError) as error:
        members.add_member(
            u,
            actor=fx.admin_actor,
            org=u.session.merge(fx.org),
            links=LINKS,
            data=members.MemberInput(
                name="Ana",
                email=member.user.email,
                category="Salariés",
                college="Salariés",
                admitted_on="2026-06-01",
            ),
        )
    assert error.value.field == "admitted_on"
    assert "ne peut pas précéder le départ du 2026-06-15" in str(error.value)
    assert events(uow, fx.org.id) == before


def test_a_college_removed_from_the_statutes_can_be_added_back(uow: Uow) -> None:
    fx = make_org(uow)
    with uow() as u:
        org = u.session.merge(fx.org)
        orgs.update_current_statutes(
            u, actor=fx.admin_actor, org=org, patch={"colleges": {"Salariés": ""}}
        )
        orgs.add_college(u, actor=fx.admin_actor, org=org, name="Salariés", weight="10")
        u.commit()
        with pytest.raises(ConflictError):
            orgs.add_college(u, actor=fx.admin_actor, org=org, name="Salariés", weight="10")
    with uow() as u:
        names = [
            v.college.name
            for v in orgs.list_colleges(u, actor=fx.admin_actor, org=u.session.merge(fx.org))
        ]
    assert "Salariés" in names and events(uow, fx.org.id)[-2] == "college.restored"
