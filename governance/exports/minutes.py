"""Procès-verbal and feuille de présence of an assembly: one data model, rendered to HTML, PDF
(WeasyPrint, from the same HTML) and CSV (UTF-8 with BOM, opens in French Excel/LibreOffice)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from governance.errors import PermissionDeniedError
from governance.i18n import M
from governance.rules.assemblies import ASSEMBLY_KIND_LABELS
from governance.services import assemblies as ga
from governance.services.audit import head_of
from governance.services.authz import Actor, require
from governance.store.tables import (
    Assembly,
    Organisation,
    Resolution,
)
from governance.store.uow import UnitOfWork

TEMPLATES = Path(__file__).resolve().parent / "templates"
MODE_LABELS = {
    "present": "présent(e)",
    "remote": "à distance",
    "correspondence": "vote par correspondance",
    "proxy": "représenté(e)",
}
CHOICE_LABELS = {
    "for": "pour",
    "against": "contre",
    "abstain": "abstention",
    "blank": "blanc",
    "null": "nul",
}
MAJORITY_LABELS = {
    "simple": "majorité simple (plus de la moitié)",
    "two_thirds": "majorité des deux tiers",
    "three_quarters": "majorité des trois quarts",
    "unanimity": "unanimité",
}
ABSTENTION_LABELS = {
    "excluded": "abstentions, blancs et nuls exclus des suffrages exprimés",
    "counts_against": "abstentions comptées contre",
    "counts_for": "abstentions comptées pour (règle atypique)",
}

COLLEGE_POLICY_LABELS = {
    "redistribute": "poids redistribué aux autres collèges",
    "keep_in_denominator": "poids gardé au dénominateur",
}
AGGREGATION_LABELS = {
    "proportional": "proportionnelle",
    "bloc": "par bloc (règle atypique)",
}


def _college_policy(code: str, colleges: list[dict[str, Any]] | None = None) -> str:
    """A policy for empty or silent colleges, in words (``merge_into:<id>`` names the college)."""
    if code.startswith("merge_into:"):
        target = code.split(":", 1)[1]
        name = next((str(c["name"]) for c in colleges or [] if str(c.get("id")) == target), target)
        return f"voix reportées sur le collège {name}"
    return COLLEGE_POLICY_LABELS.get(code, code)


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["pct"] = _pct
    env.filters["frac"] = _frac
    env.filters["college_policy"] = _college_policy
    env.globals["aggregation_labels"] = AGGREGATION_LABELS
    return env


def _pct(value: Any, digits: int = 2) -> str:
    """An exact fraction string shown as a French percentage (rounded for display only)."""
    if value in (None, ""):
        return "—"
    number = Fraction(str(value)) * 100
    text = f"{float(number):.{digits}f}".replace(".", ",")
    return f"{text}\u00a0%"


def _frac(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


@dataclass
class AttendanceLine:
    member: str
    college: str
    mode: str
    holder: str
    at: datetime
    before_meeting: bool


@dataclass
class ResolutionRecord:
    resolution: Resolution
    result: dict[str, Any] | None
    majority_label: str
    statutes_version: int | None


@dataclass
class MinutesData:
    org: Organisation
    assembly: Assembly
    kind_label: str
    tz: ZoneInfo
    quorum: dict[str, Any] | None
    attendance: list[AttendanceLine]
    totals: dict[str, int]
    eligible: int
    resolutions: list[ResolutionRecord]
    head_seq: int
    head_hash: str
    generated_at: datetime
    abstention_labels: dict[str, str] = field(default_factory=lambda: dict(ABSTENTION_LABELS))


def _check_reader(uow: UnitOfWork, actor: Actor, org: Organisation, assembly: Assembly) -> None:
    roles = require(uow.session, actor, org, ga.READERS)
    if roles & {"secretary", "admin", "auditor"}:
        return
    if assembly.status != "published":
        raise PermissionDeniedError(
            M("Le procès-verbal sera consultable par les membres une fois publié.")
        )


def minutes_data(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> MinutesData:
    """Gather everything the procès-verbal and the feuille de présence show."""
    assembly = ga.get_assembly(uow, org, assembly_id)
    _check_reader(uow, actor, org, assembly)
    lines = [
        AttendanceLine(
            member=row.name,
            college=row.college,
            mode=row.mode,
            holder=row.holder or ("pouvoir en blanc" if row.blank_proxy else ""),
            at=row.at,
            before_meeting=row.before_meeting,
        )
        for row in ga.attendance_rows(uow, org, assembly)
    ]
    totals = {mode: sum(1 for line in lines if line.mode == mode) for mode in MODE_LABELS}
    records = [
        ResolutionRecord(
            resolution=item.resolution,
            result=item.resolution.result,
            majority_label=MAJORITY_LABELS.get(item.resolution.majority, item.resolution.majority),
            statutes_version=item.statutes_version,
        )
        for item in ga.agenda_of(uow, org, ga.list_resolutions(uow, assembly))
    ]
    seq, digest = head_of(uow, org)
    tz = ZoneInfo(org.timezone)
    return MinutesData(
        org=org,
        assembly=assembly,
        kind_label=ASSEMBLY_KIND_LABELS[assembly.kind],
        tz=tz,
        quorum=assembly.quorum_record,
        attendance=lines,
        totals=totals,
        eligible=len(ga.associates(uow, org)),
        resolutions=records,
        head_seq=seq,
        head_hash=digest,
        generated_at=uow.now(),
    )


def _context(data: MinutesData) -> dict[str, Any]:
    def local(when: datetime | None) -> str:
        return "" if when is None else when.astimezone(data.tz).strftime("%d/%m/%Y %H:%M")

    return {"d": data, "local": local, "modes": MODE_LABELS, "choices": CHOICE_LABELS}


STYLESHEET = TEMPLATES / "minutes.css"


def render_minutes_html(data: MinutesData, *, stylesheet: str = "minutes.css") -> str:
    """The procès-verbal as an HTML document (``stylesheet``: where the page finds its CSS)."""
    return _env().get_template("minutes.html").render(_context(data) | {"css": stylesheet})


def render_attendance_html(data: MinutesData, *, stylesheet: str = "minutes.css") -> str:
    return _env().get_template("attendance.html").render(_context(data) | {"css": stylesheet})


def html_to_pdf(html: str) -> bytes:
    """Render a self-contained HTML document to PDF with WeasyPrint (needs Debian's pango)."""
    from weasyprint import HTML  # imported here: pango is needed only when a PDF is asked for

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def attendance_csv(data: MinutesData, *, separator: str = ";") -> bytes:
    """The feuille de présence as CSV: UTF-8 with BOM, ISO 8601 times, ``;`` by default."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(
        ["associé", "collège", "participation", "mandataire", "horodatage", "reçu avant la séance"]
    )
    for line in data.attendance:
        writer.writerow(
            [
                line.member,
                line.college,
                MODE_LABELS[line.mode],
                line.holder,
                line.at.isoformat(),
                "oui" if line.before_meeting else "non",
            ]
        )
    writer.writerow([])
    for mode, label in MODE_LABELS.items():
        writer.writerow([f"total {label}", data.totals[mode]])
    writer.writerow(["associés ayant droit de vote", data.eligible])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
