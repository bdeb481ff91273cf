"""Votes over HTTP on PostgreSQL (200 concurrent clients: ≥ 400 votes/s, p99 ≤ 150 ms, no ballot
lost or duplicated) and the results of a 1 000-member assembly (p95 ≤ 50 ms)."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select, text

from governance.services import accounts, assemblies, members, orgs
from governance.services.authz import SYSTEM
from governance.store.engine import make_engine, make_session_factory
from governance.store.migrate import upgrade
from governance.store.tables import AuditEvent, Ballot, Emargement, SecretBallot
from governance.store.uow import UnitOfWork

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "TERREAU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SCHEMA = "bench_http"
COLLEGES = (("A", "30"), ("B", "20"), ("C", "20"), ("D", "10"), ("E", "10"), ("F", "10"))


def _schema_url() -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{SCHEMA}"


def _seed(url: str, n_members: int) -> tuple[str, int, int, list[str], str]:
    """An organisation of ``n_members`` associates in six colleges, an open assembly with an open
    public and an open secret resolution; returns the slug, the two resolution ids, one API token
    per member and the admin's."""
    factory = make_session_factory(make_engine(url))

    def uow() -> UnitOfWork:
        return UnitOfWork(factory)

    with uow() as u:
        admin = accounts.create_user(
            u,
            actor=SYSTEM,
            email="admin@bench.example",
            name="Admin",
            password="mot-de-passe-bench",
            superuser=True,
        )
        actor = accounts.actor_for_user(admin)
        org = orgs.create_org(u, actor=actor, slug="bench", name="Bench", legal_form="SCIC_SA")
        orgs.add_category(u, actor=actor, org=org, name="Bénéficiaires", kind="beneficiaries")
        orgs.add_category(u, actor=actor, org=org, name="Salariés", kind="employees")
        orgs.add_category(u, actor=actor, org=org, name="Autres", kind="other")
        for name, weight in COLLEGES:
            orgs.add_college(u, actor=actor, org=org, name=name, weight=weight)
        u.commit()
    tokens: list[str] = []
    categories = ("Bénéficiaires", "Salariés", "Autres")
    with uow() as u:
        org = u.session.merge(org)
        for i in range(n_members):
            email = f"m{i}@bench.example"
            accounts.create_user(u, actor=SYSTEM, email=email, name=f"Membre {i}")
            member = members.add_member(
                u,
                actor=actor,
                org=org,
                invite=False,
                data=members.MemberInput(
                    name=f"Membre {i}",
                    email=email,
                    category=categories[i % 3],
                    college=COLLEGES[i % len(COLLEGES)][0],
                ),
            )
            tokens.append(
                accounts.create_api_token(u, actor=SYSTEM, user_id=member.user_id, org=org).token
            )
        assembly = assemblies.create_assembly(
            u,
            actor=actor,
            org=org,
            title="AG",
            kind="AGO",
            convocation=1,
            scheduled_at="2026-06-20T14:00:00+02:00",
        )
        resolution = assemblies.add_resolution(
            u,
            actor=actor,
            org=org,
            assembly_id=assembly.id,
            title="Comptes",
            text="Approuve les comptes.",
        )
        secret = assemblies.add_resolution(
            u,
            actor=actor,
            org=org,
            assembly_id=assembly.id,
            title="Élection",
            text="Élit le conseil.",
            kind="election",
            secret=True,
        )
        u.commit()
    with uow() as u:
        org = u.session.merge(org)
        assemblies.convene(u, actor=actor, org=org, assembly_id=assembly.id, mode="post")
        assemblies.open_assembly(u, actor=actor, org=org, assembly_id=assembly.id)
        assemblies.open_resolution(u, actor=actor, org=org, resolution_id=resolution.id)
        assemblies.open_resolution(u, actor=actor, org=org, resolution_id=secret.id)
        admin_token = accounts.create_api_token(u, actor=SYSTEM, user_id=admin.id, org=org).token
        u.commit()
    return "bench", resolution.id, secret.id, tokens, admin_token


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _vote_storm(
    base: str, rid: int, tokens: list[str], clients: int, rounds: int
) -> tuple[list[float], int, float]:
    """Each member votes ``rounds`` times (a first ballot, then changes), ``clients`` at once."""
    choices = ("for", "against", "abstain")
    jobs: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for r in range(rounds):
        for i, token in enumerate(tokens):
            jobs.put_nowait((token, choices[(i + r) % 3]))
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal failures
            while not jobs.empty():
                token, choice = jobs.get_nowait()
                began = time.perf_counter()
                try:
                    response = await client.post(
                        f"/api/v1/orgs/bench/resolutions/{rid}/ballots",
                        json={"choice": choice},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                except httpx.TransportError:  # counted, and the run goes on
                    failures += 1
                    continue
                latencies.append(time.perf_counter() - began)
                if response.status_code not in (200, 201):
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return latencies, failures, elapsed


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(quick: bool) -> str:
    n_members = 60 if quick else 1000
    clients = 20 if quick else 200
    rounds = 1 if quick else 3
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    url = _schema_url()
    upgrade(url)
    env = dict(os.environ, TERREAU_ARGON2_PROFILE="test")
    os.environ["TERREAU_ARGON2_PROFILE"] = "test"
    slug, rid, secret_rid, tokens, admin_token = _seed(url, n_members)
    port = _free_port()
    workers = "1" if quick else "2"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "web.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            workers,
            "--log-level",
            "warning",
            "--no-access-log",
            # Ballots wait seconds under this load: keep idle connections longer than that.
            "--timeout-keep-alive",
            "60",
        ],
        cwd=ROOT,
        env=env | {"TERREAU_DATABASE_URL": url},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/v1/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        latencies, failures, elapsed = asyncio.run(_vote_storm(base, rid, tokens, clients, rounds))
        # A secret ballot is final: one per member; each rewrites the resolution's ballot box.
        secret_latencies, secret_failures, secret_elapsed = asyncio.run(
            _vote_storm(base, secret_rid, tokens, clients, 1)
        )
        engine = make_engine(url)
        with engine.connect() as conn:
            secret_ballots = conn.execute(
                select(func.count())
                .select_from(SecretBallot)
                .where(SecretBallot.resolution_id == secret_rid)
            ).scalar_one()
            signed = conn.execute(
                select(func.count())
                .select_from(Emargement)
                .where(Emargement.resolution_id == secret_rid)
            ).scalar_one()
            ballots = conn.execute(
                select(func.count()).select_from(Ballot).where(Ballot.resolution_id == rid)
            ).scalar_one()
            logged = conn.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action.in_(("ballot.cast", "ballot.changed")),
                    AuditEvent.subject_id == str(rid),
                )
            ).scalar_one()
        with httpx.Client(base_url=base, timeout=30) as client:
            client.post(
                f"/api/v1/orgs/{slug}/resolutions/{rid}/close",
                headers={"Authorization": f"Bearer {admin_token}"},
            )
            result_times = []
            for _ in range(30 if quick else 300):
                began = time.perf_counter()
                client.get(
                    f"/api/v1/orgs/{slug}/resolutions/{rid}/result",
                    headers={"Authorization": f"Bearer {admin_token}"},
                )
                result_times.append(time.perf_counter() - began)
        engine.dispose()
    finally:
        server.terminate()
        server.wait(timeout=20)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        admin.dispose()
    requests = len(latencies)
    rate = requests / elapsed
    p99 = _percentile(latencies, 0.99) * 1000
    p95_results = _percentile(result_times, 0.95) * 1000
    intact = ballots == n_members and logged == requests and failures == 0
    secret_rate = len(secret_latencies) / secret_elapsed
    secret_p99 = _percentile(secret_latencies, 0.99) * 1000
    secret_intact = secret_ballots == signed == n_members and secret_failures == 0

    def met(ok: bool) -> str:
        return "n/a (quick)" if quick else ("yes" if ok else "**no**")

    return (
        "## Votes over HTTP and results page (PostgreSQL)\n\n"
        f"uvicorn with {workers} worker(s) on this machine, {n_members} members, {clients} "
        f"concurrent clients (httpx, keep-alive), {rounds} ballot(s) per member (first ballot then "
        "changes), through `POST …/resolutions/{rid}/ballots` with each member's API token; then "
        f"`GET …/resolutions/{{rid}}/result` of the closed {n_members}-member resolution, "
        "sequentially. Client and server share the 2 cores.\n\n"
        "| measure | value | target | met |\n|---|---|---|---|\n"
        f"| ballots per second | {rate:,.0f} | ≥ 400 | {met(rate >= 400)} |\n"
        f"| p99 latency of a ballot | {p99:.0f} ms | ≤ 150 ms | {met(p99 <= 150)} |\n"
        f"| ballots stored / members; events logged / requests; failures | {ballots} / "
        f"{n_members}; {logged} / {requests}; {failures} | exact, 0 | "
        f"{'yes' if intact else '**no**'} |\n"
        f"| results of the closed resolution, p95 | {p95_results:.1f} ms | ≤ 50 ms | "
        f"{met(p95_results <= 50)} |\n"
        f"| secret ballots per second (one per member) | {secret_rate:,.0f} | ≥ 400 | "
        f"{met(secret_rate >= 400)} |\n"
        f"| p99 latency of a secret ballot | {secret_p99:.0f} ms | ≤ 150 ms | "
        f"{met(secret_p99 <= 150)} |\n"
        f"| secret ballots / émargements / members; failures | {secret_ballots} / {signed} / "
        f"{n_members}; {secret_failures} | equal, 0 | {'yes' if secret_intact else '**no**'} |\n"
        f"\nMedian ballot latency {statistics.median(latencies) * 1000:.0f} ms (public), "
        f"{statistics.median(secret_latencies) * 1000:.0f} ms (secret). Each secret ballot "
        "rewrites the resolution's ballot box in hash order (so that no row shares its "
        "writing transaction with the émargement), one transaction at a time per resolution.\n"
    )
