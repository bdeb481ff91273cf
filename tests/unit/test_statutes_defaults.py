"""The statutes' legal defaults are derived from the one quorum table in ``voting.quorum``."""

from __future__ import annotations

from fractions import Fraction

import pytest

from governance.rules.statutes import (
    ASSEMBLY_KINDS,
    LEGAL_FORMS,
    Statutes,
    default_abstention,
    default_quorum,
    parse_exact,
)
from voting import (
    AssemblyKind,
    LegalForm,
    QuorumNotSetError,
    legal_quorum_table,
    quorum_rule,
    sarl_second_consultation,
)

SA_FORMS = ("SCIC_SA", "SCOP_SA")
SARL_FORMS = ("SCIC_SARL", "SCOP_SARL")
NO_DEFAULT_FORMS = ("SCIC_SAS", "ASSOCIATION", "OTHER")


def test_the_statutes_know_the_forms_and_kinds_of_the_voting_kernel() -> None:
    assert tuple(form.value for form in LegalForm) == LEGAL_FORMS
    assert tuple(kind.value for kind in AssemblyKind) == ASSEMBLY_KINDS


@pytest.mark.parametrize("form", SA_FORMS)
def test_sa_quorum_defaults(form: str) -> None:
    assert default_quorum(form) == {
        "AGO": {"1": "1/5", "2": "0"},
        "AGE": {"1": "1/4", "2": "1/5"},
        "AGO_EXTRA": {"1": "1/5", "2": "0"},
    }


@pytest.mark.parametrize("form", SARL_FORMS)
def test_sarl_quorum_defaults(form: str) -> None:
    assert default_quorum(form) == {
        "AGO": {"1": "0", "2": "0"},
        "AGE": {"1": "1/4", "2": "1/5"},
        "AGO_EXTRA": {"1": "0", "2": "0"},
    }


@pytest.mark.parametrize("form", [*NO_DEFAULT_FORMS, "UNKNOWN"])
def test_forms_without_a_legal_quorum_leave_it_to_the_statutes(form: str) -> None:
    assert default_quorum(form) == {kind: {"1": None, "2": None} for kind in ASSEMBLY_KINDS}
    assert legal_quorum_table(form) is None


@pytest.mark.parametrize("form", LEGAL_FORMS)
@pytest.mark.parametrize("kind", ASSEMBLY_KINDS)
@pytest.mark.parametrize("convocation", [1, 2])
def test_the_default_quorum_is_the_law_s_quorum(form: str, kind: str, convocation: int) -> None:
    """Used as the statutes' quorum, the default gives what the law gives without statutes."""
    text = default_quorum(form)[kind][str(convocation)]
    if text is None:
        with pytest.raises(QuorumNotSetError):
            quorum_rule(form, kind, convocation)
        return
    law = quorum_rule(form, kind, convocation)
    stated = quorum_rule(form, kind, convocation, parse_exact(text, "quorum"))
    assert stated.required == law.required


@pytest.mark.parametrize("form", LEGAL_FORMS)
def test_default_abstention(form: str) -> None:
    expected = "counts_against" if form in SARL_FORMS else "excluded"
    assert default_abstention(form) == expected
    assert Statutes.default(form).abstention_policy == expected


def test_default_abstention_of_an_unknown_form_is_excluded() -> None:
    assert default_abstention("UNKNOWN") == "excluded"


def test_default_statutes_carry_the_derived_quorum() -> None:
    statutes = Statutes.default("SCOP_SARL")
    assert statutes.quorum == default_quorum("SCOP_SARL")
    assert statutes.to_document()["quorum"]["AGE"] == {"1": "1/4", "2": "1/5"}


def test_legal_quorum_table_pairs() -> None:
    table = legal_quorum_table("SCIC_SA")
    assert table is not None
    assert table[AssemblyKind.AGE] == (Fraction(1, 4), Fraction(1, 5))
    assert table[AssemblyKind.AGO] == (Fraction(1, 5), None)


@pytest.mark.parametrize("form", LEGAL_FORMS)
@pytest.mark.parametrize("kind", ASSEMBLY_KINDS)
@pytest.mark.parametrize("convocation", [1, 2])
def test_sarl_second_consultation(form: str, kind: str, convocation: int) -> None:
    """C. com. L223-29: only a SARL's ordinary assembly on its second consultation."""
    expected = form in SARL_FORMS and kind != "AGE" and convocation == 2
    assert sarl_second_consultation(form, kind, convocation) is expected
    assert sarl_second_consultation(LegalForm(form), AssemblyKind(kind), convocation) is expected
