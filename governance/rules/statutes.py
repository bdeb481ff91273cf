"""Statutes as data: every governance policy of an organisation, validated by pure rules.

Sources: loi n° 47-1775 art. 19 septies (SCIC categories), 19 octies (college weights 10–50 %),
19 quinquies (public bodies ≤ 50 % of the capital); the colleges spec of Terreau.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from governance.errors import FieldProblem, ValidationError
from governance.i18n import M, Message

LEGAL_FORMS = (
    "SCIC_SA",
    "SCIC_SAS",
    "SCIC_SARL",
    "SCOP_SA",
    "SCOP_SARL",
    "ASSOCIATION",
    "OTHER",
)
ABSTENTION_POLICIES = ("excluded", "counts_against", "counts_for")
COLLEGE_POLICIES = ("redistribute", "keep_in_denominator")  # plus "merge_into:<college id>"
AGGREGATIONS = ("proportional", "bloc")
QUORUM_BASES = ("per_head", "college_weighted")
RESULTS_VISIBILITY = ("after_close", "live")
MAJORITY_NAMES = ("simple", "two_thirds", "three_quarters", "unanimity")
RESOLUTION_KINDS = ("ordinary", "extraordinary", "statutes_change", "election")
ASSEMBLY_KINDS = ("AGO", "AGE", "AGO_EXTRA")
HUNDRED = Fraction(100)
SCIC_MIN_WEIGHT = Fraction(10)
SCIC_MAX_WEIGHT = Fraction(50)
SCIC_MIN_COLLEGES = 3
SCIC_MIN_CATEGORIES = 3

# Exact numbers are short ("33.5", "2/3"): a longer text is refused before it is parsed, and a
# numerator or denominator of more digits after it, so that sums of weights stay computable and
# printable (Python refuses to print an integer of more than 4 300 digits) and that every stored
# value (``fraction_text``, at most 2 × 40 + 1 characters) parses back.
EXACT_MAX_LENGTH = 100
EXACT_MAX_DIGITS = 40
_FRACTION_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_DECIMAL_RE = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*$")
_CUSTOM_MAJORITY_RE = re.compile(r"^custom:(>=|>)(\d+/\d+|\d+(?:\.\d+)?)$")


def is_scic(legal_form: str) -> bool:
    return legal_form.startswith("SCIC")


def parse_exact(raw: Any, field_name: str) -> Fraction:
    """Parse an exact non-negative number: ``40``, ``"33.5"``, ``"33,5"``, ``"2/3"``.

    Floats are refused: an exact weight cannot come from a binary approximation; so are texts
    longer than ``EXACT_MAX_LENGTH`` characters and numbers of more than ``EXACT_MAX_DIGITS``
    digits (numerator or denominator).
    """
    if isinstance(raw, bool | float):
        raise ValidationError.single(
            field_name,
            M(
                "{field} : nombre exact attendu (entier, décimal ou fraction en texte).",
                field=field_name,
            ),
        )
    if isinstance(raw, str) and len(raw) > EXACT_MAX_LENGTH:
        raise ValidationError.single(
            field_name,
            M(
                "{field} : nombre trop long ({n} caractères au plus).",
                field=field_name,
                n=EXACT_MAX_LENGTH,
            ),
        )
    if isinstance(raw, int):
        value = Fraction(raw)
    elif isinstance(raw, Fraction):
        value = raw
    elif isinstance(raw, Decimal):
        value = Fraction(raw)
    elif isinstance(raw, str) and (match := _FRACTION_RE.match(raw)):
        if int(match.group(2)) == 0:
            raise ValidationError.single(
                field_name, M("{field} : division par zéro.", field=field_name)
            )
        value = Fraction(int(match.group(1)), int(match.group(2)))
    elif isinstance(raw, str) and _DECIMAL_RE.match(raw):
        try:
            value = Fraction(Decimal(raw.strip().replace(",", ".")))
        except InvalidOperation:  # pragma: no cover — the regex admits only valid decimals
            raise ValidationError.single(field_name, M("Nombre invalide.")) from None
    else:
        raise ValidationError.single(
            field_name,
            M(
                "{field} : « {value} » n'est pas un nombre exact positif (ex. 40, 33.5 ou 2/3).",
                field=field_name,
                value=str(raw),
            ),
        )
    if value < 0:
        raise ValidationError.single(
            field_name, M("{field} doit être positif ou nul.", field=field_name)
        )
    if max(value.numerator, value.denominator) >= 10**EXACT_MAX_DIGITS:
        raise ValidationError.single(
            field_name,
            M(
                "{field} : nombre trop grand ou trop précis ({n} chiffres au plus).",
                field=field_name,
                n=EXACT_MAX_DIGITS,
            ),
        )
    return value


def fraction_text(value: Fraction) -> str:
    """``"40"`` or ``"67/2"``: the exact string form used in documents and the API."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class CollegeWeight:
    """A college of the statutes and its exact weight in percent."""

    college_id: str
    name: str
    weight: Fraction


@dataclass(frozen=True)
class Majority:
    """A majority rule: ratio of votes for compared with ``threshold`` (strictly or not)."""

    name: str
    threshold: Fraction
    strict: bool

    @classmethod
    def parse(cls, raw: Any, field_name: str = "majority") -> Majority:
        text = str(raw).strip() if raw is not None else ""
        named = {
            "simple": cls("simple", Fraction(1, 2), True),
            "two_thirds": cls("two_thirds", Fraction(2, 3), False),
            "three_quarters": cls("three_quarters", Fraction(3, 4), False),
            "unanimity": cls("unanimity", Fraction(1), False),
        }
        if text in named:
            return named[text]
        match = _CUSTOM_MAJORITY_RE.match(text.replace(" ", ""))
        if match:
            threshold = parse_exact(match.group(2), field_name)
            if 0 < threshold <= 1:
                return cls(text.replace(" ", ""), threshold, match.group(1) == ">")
        raise ValidationError.single(
            field_name,
            M(
                "{field} : majorité inconnue « {value} » ; valeurs possibles : simple, "
                "two_thirds, three_quarters, unanimity, ou custom:>=3/5 / custom:>3/5.",
                field=field_name,
                value=text,
            ),
        )

    def is_met(self, ratio: Fraction) -> bool:
        return ratio > self.threshold if self.strict else ratio >= self.threshold


# Defaults by legal form (colleges spec, "Quorum" table). None: no legal default, the statutes
# must fix it before an assembly of that kind is convened.
_SA_QUORUM = {"AGO": {"1": "1/5", "2": "0"}, "AGE": {"1": "1/4", "2": "1/5"}}
_SARL_QUORUM = {"AGO": {"1": "0", "2": "0"}, "AGE": {"1": "1/4", "2": "1/5"}}


def default_quorum(legal_form: str) -> dict[str, dict[str, str | None]]:
    if legal_form in ("SCIC_SA", "SCOP_SA"):
        table: Mapping[str, Mapping[str, str | None]] = _SA_QUORUM
    elif legal_form in ("SCIC_SARL", "SCOP_SARL"):
        table = _SARL_QUORUM
    else:
        table = {"AGO": {"1": None, "2": None}, "AGE": {"1": None, "2": None}}
    result = {kind: dict(by_conv) for kind, by_conv in table.items()}
    # An AGO réunie extraordinairement follows the rules of an ordinary assembly.
    result["AGO_EXTRA"] = dict(result["AGO"])
    return result


def default_majorities(legal_form: str) -> dict[str, str]:
    return {
        "ordinary": "simple",
        "extraordinary": "two_thirds",
        "statutes_change": "two_thirds",
        "election": "simple",
    }


def default_abstention(legal_form: str) -> str:
    # SARL first consultation counts abstentions against (the spec's quorum table).
    return "counts_against" if legal_form.endswith("SARL") else "excluded"


POLICY_KEYS = (
    "abstention_policy",
    "empty_college_policy",
    "silent_college_policy",
    "aggregation",
    "quorum_basis",
    "quorum",
    "majority_defaults",
    "max_proxies_per_holder",
    "proxy_holder_must_be_member",
    "allow_remote",
    "results_visibility",
    "multi_college_members",
    "college_weight_min",
    "college_weight_max",
)


@dataclass(frozen=True)
class Statutes:
    """One version of the governance rules: colleges, weights and every policy."""

    legal_form: str
    colleges: tuple[CollegeWeight, ...] = ()
    abstention_policy: str = "excluded"
    empty_college_policy: str = "redistribute"
    silent_college_policy: str = "redistribute"
    aggregation: Mapping[str, str] = field(default_factory=lambda: {"kind": "proportional"})
    quorum_basis: str = "per_head"
    quorum: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    majority_defaults: Mapping[str, str] = field(default_factory=dict)
    # An integer cap, "scop" (1 below 20 associates, else ⌊N/20⌋) or None (no cap).
    max_proxies_per_holder: int | str | None = None
    proxy_holder_must_be_member: bool = True
    allow_remote: bool = False
    results_visibility: str = "after_close"
    multi_college_members: bool = False
    # Bounds for college weights outside a SCIC (a SCIC always uses 10–50 %).
    college_weight_min: Fraction = Fraction(0)
    college_weight_max: Fraction = HUNDRED

    @classmethod
    def default(cls, legal_form: str) -> Statutes:
        return cls(
            legal_form=legal_form,
            abstention_policy=default_abstention(legal_form),
            quorum=default_quorum(legal_form),
            majority_defaults=default_majorities(legal_form),
            max_proxies_per_holder="scop" if legal_form.startswith("SCOP") else None,
        )

    @property
    def uses_colleges(self) -> bool:
        return bool(self.colleges)

    def weight_of(self, college_id: str) -> Fraction | None:
        for cw in self.colleges:
            if cw.college_id == college_id:
                return cw.weight
        return None

    def majority_for(self, resolution_kind: str) -> Majority:
        return Majority.parse(self.majority_defaults.get(resolution_kind, "simple"))

    # ---- documents -----------------------------------------------------------------------

    def to_document(self) -> dict[str, Any]:
        """A plain JSON document (exact numbers as strings), stored and hashed canonically."""
        return {
            "legal_form": self.legal_form,
            "colleges": [
                {"id": cw.college_id, "name": cw.name, "weight": fraction_text(cw.weight)}
                for cw in self.colleges
            ],
            "abstention_policy": self.abstention_policy,
            "empty_college_policy": self.empty_college_policy,
            "silent_college_policy": self.silent_college_policy,
            "aggregation": dict(self.aggregation),
            "quorum_basis": self.quorum_basis,
            "quorum": {k: dict(v) for k, v in self.quorum.items()},
            "majority_defaults": dict(self.majority_defaults),
            "max_proxies_per_holder": (
                str(self.max_proxies_per_holder)
                if self.max_proxies_per_holder is not None
                else None
            ),
            "proxy_holder_must_be_member": self.proxy_holder_must_be_member,
            "allow_remote": self.allow_remote,
            "results_visibility": self.results_visibility,
            "multi_college_members": self.multi_college_members,
            "college_weight_min": fraction_text(self.college_weight_min),
            "college_weight_max": fraction_text(self.college_weight_max),
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Statutes:
        base = cls.default(str(document["legal_form"]))
        colleges = tuple(
            CollegeWeight(str(c["id"]), str(c["name"]), parse_exact(c["weight"], "colleges"))
            for c in document.get("colleges", [])
        )
        patch = {k: document[k] for k in POLICY_KEYS if k in document}
        return dataclasses.replace(base.with_changes(patch), colleges=colleges)

    def with_changes(self, patch: Mapping[str, Any]) -> Statutes:
        """Apply a partial patch of policies; every bad key or value is reported at once."""
        problems: list[FieldProblem] = []
        changes: dict[str, Any] = {}
        for key, raw in patch.items():
            if key not in POLICY_KEYS:
                problems.append(
                    FieldProblem(
                        key,
                        M(
                            "Règle inconnue « {key} » ; règles possibles : {keys}.",
                            key=key,
                            keys=", ".join(POLICY_KEYS),
                        ),
                    )
                )
                continue
            try:
                changes[key] = _parse_policy(key, raw, self)
            except ValidationError as error:
                problems.extend(error.problems)
        if problems:
            raise ValidationError(problems)
        return dataclasses.replace(self, **changes)


def _choice(key: str, raw: Any, allowed: Sequence[str]) -> str:
    if not isinstance(raw, str) or raw not in allowed:
        raise ValidationError.single(
            key,
            M(
                "{field} doit valoir {values} (reçu « {value} »).",
                field=key,
                values=", ".join(allowed),
                value=str(raw),
            ),
        )
    return raw


def _boolean(key: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false", "oui", "non", "1", "0"):
        return raw.lower() in ("true", "oui", "1")
    raise ValidationError.single(key, M("{field} doit valoir true ou false.", field=key))


def _college_policy(key: str, raw: Any) -> str:
    if isinstance(raw, str) and raw.startswith("merge_into:") and raw.split(":", 1)[1].strip():
        return "merge_into:" + raw.split(":", 1)[1].strip()
    return _choice(key, raw, (*COLLEGE_POLICIES, "merge_into:<collège>"))


def _parse_policy(key: str, raw: Any, current: Statutes) -> Any:
    if key == "abstention_policy":
        return _choice(key, raw, ABSTENTION_POLICIES)
    if key in ("empty_college_policy", "silent_college_policy"):
        return _college_policy(key, raw)
    if key == "aggregation":
        return _aggregation(raw)
    if key == "quorum_basis":
        return _choice(key, raw, QUORUM_BASES)
    if key == "results_visibility":
        return _choice(key, raw, RESULTS_VISIBILITY)
    if key in ("proxy_holder_must_be_member", "allow_remote", "multi_college_members"):
        return _boolean(key, raw)
    if key in ("college_weight_min", "college_weight_max"):
        return parse_exact(raw, key)
    if key == "max_proxies_per_holder":
        return _proxy_cap(raw)
    if key == "quorum":
        return _quorum(raw, current)
    if key == "majority_defaults":
        return _majorities(raw, current)
    raise AssertionError(key)  # pragma: no cover — POLICY_KEYS is exhaustive


def _aggregation(raw: Any) -> dict[str, str]:
    key = "aggregation"
    if raw == "proportional" or (isinstance(raw, Mapping) and raw.get("kind") == "proportional"):
        return {"kind": "proportional"}
    if isinstance(raw, Mapping) and raw.get("kind") == "bloc":
        threshold = parse_exact(raw.get("threshold", "1/2"), "aggregation.threshold")
        if not Fraction(1, 2) <= threshold < 1:
            raise ValidationError.single(
                "aggregation.threshold",
                M("Le seuil du vote par bloc est une fraction d'au moins 1/2 et de moins de 1."),
            )
        second = _boolean("aggregation.second_round", raw.get("second_round", True))
        return {
            "kind": "bloc",
            "threshold": fraction_text(threshold),
            "second_round": "true" if second else "false",
        }
    raise ValidationError.single(
        key,
        M("aggregation vaut « proportional » ou un bloc : kind=bloc, threshold (ex. 1/2)."),
    )


def _proxy_cap(raw: Any) -> int | str | None:
    if raw is None or raw == "":
        return None
    if raw == "scop":
        return "scop"
    try:
        value = int(str(raw))
    except ValueError:
        value = -1
    if value < 0 or isinstance(raw, bool | float):
        raise ValidationError.single(
            "max_proxies_per_holder",
            M("max_proxies_per_holder : entier positif, « scop » ou vide (pas de limite)."),
        )
    return value


def _quorum(raw: Any, current: Statutes) -> dict[str, dict[str, str | None]]:
    if not isinstance(raw, Mapping):
        raise ValidationError.single(
            "quorum", M("quorum associe à AGO/AGE/AGO_EXTRA un quorum par convocation (1, 2).")
        )
    merged = {k: dict(v) for k, v in current.quorum.items()}
    problems: list[FieldProblem] = []
    for kind, by_conv in raw.items():
        if kind not in ASSEMBLY_KINDS or not isinstance(by_conv, Mapping):
            problems.append(
                FieldProblem(f"quorum.{kind}", M("Type d'assemblée inconnu : {kind}.", kind=kind))
            )
            continue
        for conv, value in by_conv.items():
            name = f"quorum.{kind}.{conv}"
            if str(conv) not in ("1", "2"):
                problems.append(FieldProblem(name, M("Convocation 1 ou 2 attendue.")))
                continue
            if value is None or value == "":
                merged.setdefault(kind, {})[str(conv)] = None
                continue
            try:
                fraction = parse_exact(value, name)
            except ValidationError as error:
                problems.extend(error.problems)
                continue
            if fraction > 1:
                problems.append(FieldProblem(name, M("Un quorum est une fraction entre 0 et 1.")))
                continue
            merged.setdefault(kind, {})[str(conv)] = fraction_text(fraction)
    if problems:
        raise ValidationError(problems)
    return merged


def _majorities(raw: Any, current: Statutes) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ValidationError.single(
            "majority_defaults", M("majority_defaults associe un type de résolution à sa majorité.")
        )
    merged = dict(current.majority_defaults)
    problems: list[FieldProblem] = []
    for kind, value in raw.items():
        name = f"majority_defaults.{kind}"
        if kind not in RESOLUTION_KINDS:
            problems.append(
                FieldProblem(name, M("Type de résolution inconnu : {kind}.", kind=kind))
            )
            continue
        try:
            merged[kind] = Majority.parse(value, name).name
        except ValidationError as error:
            problems.extend(error.problems)
    if problems:
        raise ValidationError(problems)
    return merged


# ---- validation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One rule the statutes or the membership break; names the college/category and the rule."""

    code: str
    severity: str  # "error" refuses the change; "warning" is shown and blocks convening
    field: str
    message: Message
    subject: str | None = None


def _pct(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".replace(".", ",")


def validate_statutes(statutes: Statutes) -> list[Finding]:
    """Check the colleges' weights and the policies that refer to colleges."""
    findings: list[Finding] = []
    colleges = statutes.colleges
    scic = is_scic(statutes.legal_form)
    if colleges:
        total = sum((cw.weight for cw in colleges), Fraction(0))
        if total != HUNDRED:
            findings.append(
                Finding(
                    "weights_sum",
                    "error",
                    "colleges",
                    M(
                        "La somme des poids des collèges doit être exactement 100 % "
                        "(actuellement {total} %).",
                        total=_pct(total),
                    ),
                )
            )
        if scic and len(colleges) < SCIC_MIN_COLLEGES:
            findings.append(
                Finding(
                    "scic_min_colleges",
                    "error",
                    "colleges",
                    M(
                        "Une SCIC qui institue des collèges en compte au moins 3 "
                        "(actuellement {n}) — loi 1947, art. 19 octies.",
                        n=len(colleges),
                    ),
                )
            )
        low, high = (
            (SCIC_MIN_WEIGHT, SCIC_MAX_WEIGHT)
            if scic
            else (statutes.college_weight_min, statutes.college_weight_max)
        )
        for cw in colleges:
            if cw.weight <= 0:
                findings.append(
                    Finding(
                        "college_weight_positive",
                        "error",
                        f"colleges.{cw.college_id}",
                        M("Le collège {name} doit avoir un poids positif.", name=cw.name),
                        subject=cw.college_id,
                    )
                )
            elif cw.weight < low or cw.weight > high:
                findings.append(
                    Finding(
                        "scic_college_bounds" if scic else "college_bounds",
                        "error",
                        f"colleges.{cw.college_id}",
                        M(
                            "Le collège {name} pèse {weight} % : chaque collège doit peser "
                            "entre {low} % et {high} %{source}.",
                            name=cw.name,
                            weight=_pct(cw.weight),
                            low=_pct(low),
                            high=_pct(high),
                            source=" (SCIC, loi 1947, art. 19 octies)" if scic else "",
                        ),
                        subject=cw.college_id,
                    )
                )
    if not scic and statutes.college_weight_min > statutes.college_weight_max:
        findings.append(
            Finding(
                "college_bounds_order",
                "error",
                "college_weight_min",
                M("Le poids minimal d'un collège dépasse le poids maximal."),
            )
        )
    ids = {cw.college_id for cw in colleges}
    for key in ("empty_college_policy", "silent_college_policy"):
        policy = getattr(statutes, key)
        if policy.startswith("merge_into:"):
            target = policy.split(":", 1)[1]
            by_name = {cw.name.lower(): cw.college_id for cw in colleges}
            if target not in ids and target.lower() not in by_name:
                findings.append(
                    Finding(
                        "merge_target",
                        "error",
                        key,
                        M(
                            "{field} : le collège « {target} » n'existe pas dans ces statuts.",
                            field=key,
                            target=target,
                        ),
                    )
                )
    if statutes.quorum_basis == "college_weighted" and not colleges:
        findings.append(
            Finding(
                "quorum_basis_colleges",
                "error",
                "quorum_basis",
                M("Un quorum pondéré par collège suppose des collèges."),
            )
        )
    for kind in ("AGO", "AGE"):
        if statutes.quorum.get(kind, {}).get("1") is None:
            findings.append(
                Finding(
                    "quorum_missing",
                    "warning",
                    f"quorum.{kind}.1",
                    M(
                        "Le quorum de l'{kind} en 1re convocation n'est pas fixé : la loi ne "
                        "donne pas de défaut pour cette forme ; renseignez-le avant de convoquer.",
                        kind=kind,
                    ),
                )
            )
    return findings


@dataclass(frozen=True)
class CategoryFacts:
    category_id: str
    name: str
    kind: str


@dataclass(frozen=True)
class AssociateFacts:
    member_id: str
    name: str
    category_id: str | None
    college_ids: tuple[str, ...]
    shares: int


def check_compliance(
    statutes: Statutes,
    categories: Sequence[CategoryFacts],
    associates: Sequence[AssociateFacts],
) -> list[Finding]:
    """Continuous legal checks on the membership (SCIC categories, public capital, colleges)."""
    findings: list[Finding] = []
    by_category: dict[str, int] = {c.category_id: 0 for c in categories}
    for a in associates:
        if a.category_id is not None and a.category_id in by_category:
            by_category[a.category_id] += 1
    if is_scic(statutes.legal_form):
        populated = [c for c in categories if by_category[c.category_id] > 0]
        if len(populated) < SCIC_MIN_CATEGORIES:
            findings.append(
                Finding(
                    "scic_categories",
                    "warning",
                    "categories",
                    M(
                        "Une SCIC réunit au moins 3 catégories d'associés ayant chacune au moins "
                        "un membre ; {n} catégorie(s) en ont aujourd'hui — loi 1947, "
                        "art. 19 septies.",
                        n=len(populated),
                    ),
                )
            )
        kinds = {c.kind for c in populated}
        if "beneficiaries" not in kinds:
            findings.append(
                Finding(
                    "scic_beneficiaries",
                    "warning",
                    "categories",
                    M(
                        "Une SCIC compte des associés bénéficiaires : aucune catégorie "
                        "« bénéficiaires » n'a de membre — loi 1947, art. 19 septies."
                    ),
                )
            )
        declared_kinds = {c.kind for c in categories}
        if "employees" in declared_kinds or "producers" not in declared_kinds:
            if "employees" not in kinds:
                findings.append(
                    Finding(
                        "scic_employees",
                        "warning",
                        "categories",
                        M(
                            "Une SCIC compte des associés salariés (ou producteurs si elle n'a "
                            "pas de salarié) : aucune catégorie « salariés » n'a de membre — "
                            "loi 1947, art. 19 septies."
                        ),
                    )
                )
        elif "producers" not in kinds:
            findings.append(
                Finding(
                    "scic_producers",
                    "warning",
                    "categories",
                    M(
                        "Sans salarié, une SCIC compte des associés producteurs : aucune "
                        "catégorie « producteurs » n'a de membre — loi 1947, art. 19 septies."
                    ),
                )
            )
    public_ids = {c.category_id for c in categories if c.kind == "public_body"}
    capital = sum(a.shares for a in associates)
    public = sum(a.shares for a in associates if a.category_id in public_ids)
    if capital > 0 and Fraction(public, capital) > Fraction(1, 2):
        findings.append(
            Finding(
                "public_capital",
                "warning",
                "categories",
                M(
                    "Les collectivités publiques détiennent {pct} % du capital : au plus 50 % "
                    "— loi 1947, art. 19 septies.",
                    pct=_pct(Fraction(public * 100, capital)),
                ),
            )
        )
    if statutes.colleges:
        statute_ids = {cw.college_id for cw in statutes.colleges}
        for a in associates:
            live = [c for c in a.college_ids if c in statute_ids]
            if not live:
                findings.append(
                    Finding(
                        "member_without_college",
                        "warning",
                        "college",
                        M("{name} n'appartient à aucun collège de vote.", name=a.name),
                        subject=a.member_id,
                    )
                )
            elif len(live) > 1 and not statutes.multi_college_members:
                findings.append(
                    Finding(
                        "member_several_colleges",
                        "warning",
                        "college",
                        M(
                            "{name} appartient à plusieurs collèges, ce que les statuts "
                            "n'autorisent pas.",
                            name=a.name,
                        ),
                        subject=a.member_id,
                    )
                )
    for a in associates:
        if a.category_id is None:
            findings.append(
                Finding(
                    "member_without_category",
                    "warning",
                    "category",
                    M("{name} n'appartient à aucune catégorie d'associés.", name=a.name),
                    subject=a.member_id,
                )
            )
    return findings


def diff_statutes(old: Statutes, new: Statutes) -> dict[str, Any]:
    """Every policy and college weight that differs, as ``{key: {"from": …, "to": …}}``."""
    before, after = old.to_document(), new.to_document()
    diff: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        if key == "colleges":
            continue
        if before.get(key) != after.get(key):
            diff[key] = {"from": before.get(key), "to": after.get(key)}
    old_weights = {c["id"]: c for c in before["colleges"]}
    new_weights = {c["id"]: c for c in after["colleges"]}
    for college_id in sorted(set(old_weights) | set(new_weights), key=str):
        was, now = old_weights.get(college_id), new_weights.get(college_id)
        if was != now:
            diff[f"colleges.{college_id}"] = {
                "from": was["weight"] if was else None,
                "to": now["weight"] if now else None,
                "name": (now or was or {}).get("name"),
            }
    return diff


def proxy_cap(statutes: Statutes, associates: int) -> int | None:
    """The maximum number of proxies one holder may carry (SCOP preset: 1 below 20, else N/20)."""
    cap = statutes.max_proxies_per_holder
    if cap == "scop":
        return 1 if associates < 20 else associates // 20
    return None if cap is None else int(cap)
