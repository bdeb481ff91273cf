"""The audit chain's verification report."""

from __future__ import annotations

from pydantic import BaseModel

from governance.services.audit import AuditReport
from web import i18n


class AuditFindingOut(BaseModel):
    check: str
    record: str
    message: str


class AuditHeadOut(BaseModel):
    seq: int
    hash: str


class AuditVerifyOut(BaseModel):
    ok: bool
    events: int
    findings: list[AuditFindingOut]
    head: AuditHeadOut
    first_broken_seq: int | None


def audit_view(report: AuditReport) -> AuditVerifyOut:
    return AuditVerifyOut(
        ok=report.ok,
        events=report.events,
        findings=[AuditFindingOut(**f.to_dict(i18n.gettext)) for f in report.findings],
        head=AuditHeadOut(seq=report.head_seq, hash=report.head_hash),
        first_broken_seq=report.first_broken_seq,
    )
