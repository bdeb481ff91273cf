"""Results: the tally of the stored ballots with the statutes frozen at the opening, the public
list of secret ballot hashes, and the result a reader may see now (stored, projected past the
deadline, or live) — reading never writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from governance.rules import assemblies as rules
from governance.rules.assemblies.tally import (
    statutes_for_tally,
    tally_resolution,
    with_blank_proxies,
)
from governance.rules.audit_chain import canonical_value
from governance.rules.statutes import Majority
from governance.store.tables import (
    Ballot,
    College,
    Member,
    Organisation,
    Resolution,
    SecretBallot,
)
from governance.store.uow import UnitOfWork

from ._common import get_assembly, resolution_state, statutes_of
from .attendance import is_quorate
from .ballots import blank_proxy_voters


def counts_by_college(uow: UnitOfWork, resolution: Resolution) -> dict[int | None, dict[str, int]]:
    table = SecretBallot if resolution.secret else Ballot
    rows = uow.session.execute(
        select(table.college_id, table.choice, func.count())
        .where(table.resolution_id == resolution.id)
        .group_by(table.college_id, table.choice)
    ).all()
    counts: dict[int | None, dict[str, int]] = {}
    for college_id, choice, n in rows:
        counts.setdefault(college_id, {})[choice] = int(n)
    return counts


def members_by_college(uow: UnitOfWork, org: Organisation) -> dict[int | None, int]:
    rows = uow.session.execute(
        select(Member.college_id, func.count())
        .where(Member.org_id == org.id, Member.status == "associate", Member.departed_on.is_(None))
        .group_by(Member.college_id)
    ).all()
    return {college_id: int(n) for college_id, n in rows}


def college_names(uow: UnitOfWork, org: Organisation) -> dict[int, str]:
    return {
        c.id: c.name
        for c in uow.session.execute(select(College).where(College.org_id == org.id)).scalars()
    }


def compute_result(
    uow: UnitOfWork,
    org: Organisation,
    resolution: Resolution,
    *,
    quorate: bool,
    members: dict[int | None, int] | None = None,
    counts: dict[int | None, dict[str, int]] | None = None,
) -> dict[str, Any]:
    """Tally the stored ballots with the statutes version frozen at opening (plain JSON dict).

    ``members`` (college → associates) defaults to today's; a recount passes the stored ones.
    ``counts`` defaults to the stored ballots; a projection passes them with the blank proxies.
    """
    version, statutes = statutes_of(uow, resolution)
    assembly = get_assembly(uow, org, resolution.assembly_id)
    statutes = statutes_for_tally(
        statutes, legal_form=org.legal_form, kind=assembly.kind, convocation=assembly.convocation
    )
    return tally_resolution(
        statutes=statutes,
        statutes_version=version.number,
        majority=Majority.parse(resolution.majority),
        counts=counts if counts is not None else counts_by_college(uow, resolution),
        members=members if members is not None else members_by_college(uow, org),
        college_names=college_names(uow, org),
        quorate=quorate,
    )


def projected_result(uow: UnitOfWork, org: Organisation, resolution: Resolution) -> dict[str, Any]:
    """The result the close will record, computed without writing: the stored ballots plus the
    blank proxies, which vote at the close (for a vote past its deadline, not yet recorded)."""
    choice = rules.blank_proxy_choice(resolution.board_proposed)
    blank = [member.college_id for member in blank_proxy_voters(uow, resolution)]
    counts = with_blank_proxies(counts_by_college(uow, resolution), blank, choice)
    assembly = get_assembly(uow, org, resolution.assembly_id)
    return compute_result(uow, org, resolution, quorate=is_quorate(assembly), counts=counts)


def ballot_hashes(uow: UnitOfWork, resolution: Resolution) -> list[str]:
    return sorted(
        uow.session.execute(
            select(SecretBallot.ballot_hash).where(SecretBallot.resolution_id == resolution.id)
        ).scalars()
    )


def visible_result(uow: UnitOfWork, org: Organisation, resolution: Resolution) -> dict[str, Any]:
    """The result as anyone who may read the assembly may see it now (see ``result_source``)."""
    now = uow.now()
    state = resolution_state(resolution, now)
    shown = rules.shown_status(state).value
    _version, statutes = (
        statutes_of(uow, resolution)
        if resolution.statutes_version_id
        else (
            None,
            None,
        )
    )
    source = rules.result_source(
        rules.ResultFacts(
            state=state,
            has_stored_result=resolution.result is not None,
            live_results=statutes is not None and statutes.results_visibility == "live",
        )
    )
    if source == rules.ResultSource.STORED:
        assert resolution.result is not None
        return {"status": "closed", **resolution.result}
    if source == rules.ResultSource.PROJECTED:
        # Past the deadline: the close is due. Show what it will record; tick records it.
        return {"status": "closed", "recorded": False, **projected_result(uow, org, resolution)}
    if source == rules.ResultSource.LIVE:
        assembly = get_assembly(uow, org, resolution.assembly_id)
        live = canonical_value(compute_result(uow, org, resolution, quorate=is_quorate(assembly)))
        return {
            "status": "open",
            "live": True,
            **rules.hide_small_colleges(live, secret=resolution.secret),
        }
    return {"status": shown, "visible": False}
