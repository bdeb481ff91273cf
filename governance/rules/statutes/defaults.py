"""What the statutes may say, and what they say when they say nothing: the legal defaults.

The law's quorum table and the default abstention policy come from ``voting.quorum`` (the one
place that writes the table, C. com. L225-96/98 for an SA, L223-29/30 for a SARL); this module
turns them into the statutes' document form (exact numbers as text, ``"0"`` for "no quorum",
``None`` where the law gives no default and the statutes must fix one).
"""

from __future__ import annotations

from fractions import Fraction

from governance.rules.statutes.exact import fraction_text
from voting.errors import MajorityNotSetError
from voting.quorum import AssemblyKind, LegalForm, default_majority, legal_quorum_table
from voting.resolution import AbstentionPolicy

LEGAL_FORMS = tuple(str(form) for form in LegalForm)
ABSTENTION_POLICIES = ("excluded", "counts_against", "counts_for")
COLLEGE_POLICIES = ("redistribute", "keep_in_denominator")  # plus "merge_into:<college id>"
AGGREGATIONS = ("proportional", "bloc")
QUORUM_BASES = ("per_head", "college_weighted")
RESULTS_VISIBILITY = ("after_close", "live")
MAJORITY_NAMES = ("simple", "two_thirds", "three_quarters", "unanimity")
RESOLUTION_KINDS = ("ordinary", "extraordinary", "statutes_change", "election")
ASSEMBLY_KINDS = tuple(str(kind) for kind in AssemblyKind)
HUNDRED = Fraction(100)
SCIC_MIN_WEIGHT = Fraction(10)
SCIC_MAX_WEIGHT = Fraction(50)
SCIC_MIN_COLLEGES = 3
SCIC_MIN_CATEGORIES = 3


def is_scic(legal_form: str) -> bool:
    return legal_form.startswith("SCIC")


def default_quorum(legal_form: str) -> dict[str, dict[str, str | None]]:
    """The law's quorum per assembly kind and convocation, as the statutes write it.

    ``"0"``: the law requires no quorum; ``None``: the law gives no default for this form (SAS,
    association, other), the statutes must fix it before an assembly of that kind is convened.
    An AGO réunie extraordinairement follows the rules of an ordinary assembly.
    """
    table = legal_quorum_table(legal_form)
    if table is None:
        return {kind: {"1": None, "2": None} for kind in ASSEMBLY_KINDS}
    return {
        str(kind): {
            str(convocation): "0" if required is None else fraction_text(required)
            for convocation, required in enumerate(by_convocation, start=1)
        }
        for kind, by_convocation in table.items()
    }


def default_majorities(legal_form: str) -> dict[str, str]:
    return {
        "ordinary": "simple",
        "extraordinary": "two_thirds",
        "statutes_change": "two_thirds",
        "election": "simple",
    }


def default_abstention(legal_form: str) -> str:
    """The abstention policy of an ordinary assembly's first consultation under the law.

    A SARL counts abstentions against (C. com. L223-29: a majority of all the shares); every
    other form excludes them, the statutes may say otherwise.
    """
    if legal_form not in LEGAL_FORMS:
        return AbstentionPolicy.EXCLUDED.value
    try:
        return default_majority(legal_form, AssemblyKind.AGO).abstention.value
    except MajorityNotSetError:
        return AbstentionPolicy.EXCLUDED.value
