"""General assemblies as pure rules: lifecycle, freezing, proxies, blank proxies, secret receipts.

Sources: Code de commerce L225-106 (proxies, blank proxy), loi 1947 (SCOP proxy cap preset),
the colleges spec of Terreau ("Assemblies", "Proxies", "Secret ballot").
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from governance.errors import ConflictError, ValidationError
from governance.i18n import M

ASSEMBLY_KINDS = ("AGO", "AGE", "AGO_EXTRA")
ASSEMBLY_KIND_LABELS = {
    "AGO": "Assemblée générale ordinaire",
    "AGE": "Assemblée générale extraordinaire",
    "AGO_EXTRA": "Assemblée générale ordinaire réunie extraordinairement",
}
CONVOCATION_MODES = ("email", "post", "both")
ATTENDANCE_MODES = ("present", "remote", "correspondence", "proxy")
CHOICES = ("for", "against", "abstain", "blank", "null")
MEMBER_CHOICES = ("for", "against", "abstain", "blank")
RESOLUTION_KINDS = ("ordinary", "extraordinary", "statutes_change", "election")

ASSEMBLY_TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "draft": ("convened",),
    "convened": ("open",),
    "open": ("closed",),
    "closed": ("published",),
    "published": (),
}
STATUS_LABELS = {
    "draft": M("brouillon"),
    "convened": M("convoquée"),
    "open": M("ouverte"),
    "closed": M("close"),
    "published": M("procès-verbal publié"),
}
ATTENDANCE_LABELS = {
    "present": M("présent(e)"),
    "remote": M("à distance"),
    "correspondence": M("vote par correspondance"),
    "proxy": M("représenté(e)"),
}


def check_transition(current: str, target: str) -> None:
    """Refuse a lifecycle step that the state machine does not allow (409)."""
    if target not in ASSEMBLY_TRANSITIONS.get(current, ()):
        raise ConflictError(
            M(
                "L'assemblée est {current} : impossible de la passer à l'état « {target} ».",
                current=STATUS_LABELS.get(current, current),
                target=STATUS_LABELS.get(target, target),
            )
        )


def default_majority_name(kind: str, assembly_kind: str, defaults: Mapping[str, str]) -> str:
    """The majority of a resolution when none is given: from its kind, per the statutes."""
    if kind == "ordinary" and assembly_kind == "AGE":
        kind = "extraordinary"
    return defaults.get(kind, "simple")


@dataclass(frozen=True)
class ProxyFacts:
    """What the proxy rules need to know about a proposed proxy."""

    principal_name: str
    holder_name: str | None
    holder_is_associate: bool
    holder_is_member: bool
    holder_gave_proxy: bool
    principal_holds_proxies: int
    holder_current_proxies: int
    cap: int | None
    holder_must_be_member: bool


def check_proxy(facts: ProxyFacts) -> None:
    """Apply every proxy rule of the spec; the message says which rule refused it."""
    if facts.holder_name is None:
        return  # blank proxy: votes with the board, checked nowhere else
    if facts.principal_holds_proxies:
        raise ValidationError.single(
            "mode",
            M(
                "Pouvoir refusé : {principal} détient déjà {n} pouvoir(s) et doit donc "
                "participer à l'assemblée ; un pouvoir ne se transmet pas.",
                principal=facts.principal_name,
                n=facts.principal_holds_proxies,
            ),
        )
    if facts.holder_gave_proxy:
        raise ValidationError.single(
            "holder",
            M(
                "Pouvoir refusé : {holder} est lui-même représenté(e) ; un pouvoir ne se "
                "transmet pas.",
                holder=facts.holder_name,
            ),
        )
    if facts.holder_must_be_member and not facts.holder_is_associate:
        raise ValidationError.single(
            "holder",
            M(
                "Pouvoir refusé : {holder} n'est pas associé(e), et les statuts exigent que le "
                "mandataire le soit.",
                holder=facts.holder_name,
            ),
        )
    if not facts.holder_is_member:
        raise ValidationError.single(
            "holder",
            M(
                "Pouvoir refusé : {holder} n'est pas membre de l'organisation.",
                holder=facts.holder_name,
            ),
        )
    if facts.cap is not None and facts.holder_current_proxies >= facts.cap:
        raise ValidationError.single(
            "holder",
            M(
                "Pouvoir refusé : {holder} détient déjà {n} pouvoir(s) (maximum {cap}).",
                holder=facts.holder_name,
                n=facts.holder_current_proxies,
                cap=facts.cap,
            ),
        )


def blank_proxy_choice(board_proposed: bool) -> str:
    """A blank proxy votes for the board's resolutions and against all others (L225-106)."""
    return "for" if board_proposed else "against"


def new_receipt_code() -> str:
    """A random receipt code for a secret ballot (128 bits, shown once to the voter)."""
    return secrets.token_hex(16)


def secret_ballot_hash(resolution_id: int, college_id: int | None, choice: str, code: str) -> str:
    """The public hash of a secret ballot: it proves inclusion, reveals nothing without the code."""
    material = f"terreau-ballot|{resolution_id}|{college_id or ''}|{choice}|{code}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def check_choice(choice: str, *, allow_null: bool = False) -> str:
    allowed = CHOICES if allow_null else MEMBER_CHOICES
    if choice not in allowed:
        raise ValidationError.single(
            "choice",
            M(
                "Choix de vote inconnu « {value} » ; choix possibles : {choices}.",
                value=choice,
                choices=", ".join(allowed),
            ),
        )
    return choice


def is_sarl_second_ordinary_consultation(legal_form: str, kind: str, convocation: int) -> bool:
    """True for an ordinary assembly of a SARL on its second consultation, where the majority is
    of the votes cast (abstentions excluded) rather than of all votes (C. com. L223-29)."""
    return legal_form.endswith("SARL") and kind != "AGE" and convocation == 2
