"""Who may cast which ballot (one's own, a proxy held, a correspondence form), the choices, and
the receipt hash of a secret ballot (pure, no database)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.errors import ConflictError, PermissionDeniedError, ValidationError
from governance.rules.assemblies.ballots import (
    CHOICES,
    MEMBER_CHOICES,
    AttendanceOf,
    BallotFacts,
    Voter,
    check_ballot,
    check_choice,
    secret_ballot_hash,
)

CAMILLE = Voter(id=1, name="Camille", is_associate=True, departed=False, college_id=10)
DOMINIQUE = Voter(id=2, name="Dominique", is_associate=True, departed=False, college_id=20)
SACHA = Voter(id=3, name="Sacha", is_associate=False, departed=False, college_id=None)


def ballot(**overrides: Any) -> BallotFacts:
    """Camille casts her own ballot in person, in an organisation with colleges."""
    facts: dict[str, Any] = {
        "channel": "direct",
        "actor_is_organiser": False,
        "me": CAMILLE,
        "principal": None,
        "principal_line": None,
        "uses_colleges": True,
    }
    facts.update(overrides)
    return BallotFacts(**facts)


def proxy_from(principal: Voter, holder: Voter) -> dict[str, Any]:
    return {"principal": principal, "principal_line": AttendanceOf("proxy", holder.id)}


# ---- one's own ballot ------------------------------------------------------------------------


def test_an_associate_casts_their_own_ballot_and_is_recorded_present() -> None:
    decision = check_ballot(ballot())

    assert decision.principal == CAMILLE
    assert decision.channel == "direct"
    assert decision.add_attendance == "present"


def test_naming_oneself_as_the_principal_is_one_s_own_ballot() -> None:
    decision = check_ballot(ballot(principal=CAMILLE))

    assert (decision.principal, decision.channel) == (CAMILLE, "direct")


def test_an_associate_already_on_the_attendance_sheet_is_not_recorded_twice() -> None:
    decision = check_ballot(ballot(principal_line=AttendanceOf("remote", None)))

    assert decision.channel == "direct"
    assert decision.add_attendance is None


def test_a_member_who_gave_a_proxy_cannot_vote_themself() -> None:
    with pytest.raises(ConflictError) as refused:
        check_ballot(ballot(principal_line=AttendanceOf("proxy", DOMINIQUE.id)))

    assert "mandataire vote pour vous" in refused.value.message.render()


def test_a_member_who_is_not_an_associate_cannot_vote_in_their_own_right() -> None:
    with pytest.raises(PermissionDeniedError):
        check_ballot(ballot(me=SACHA))


def test_a_departed_associate_cannot_vote() -> None:
    departed = Voter(id=1, name="Camille", is_associate=True, departed=True, college_id=10)

    with pytest.raises(PermissionDeniedError):
        check_ballot(ballot(me=departed))


def test_someone_unknown_cannot_vote() -> None:
    with pytest.raises(PermissionDeniedError):
        check_ballot(ballot(me=None))


def test_an_associate_outside_any_college_cannot_vote_when_the_statutes_use_colleges() -> None:
    no_college = Voter(id=1, name="Camille", is_associate=True, departed=False, college_id=None)

    with pytest.raises(PermissionDeniedError):
        check_ballot(ballot(me=no_college))
    assert check_ballot(ballot(me=no_college, uses_colleges=False)).principal == no_college


# ---- proxies ---------------------------------------------------------------------------------


def test_a_proxy_holder_votes_for_their_principal() -> None:
    decision = check_ballot(ballot(**proxy_from(DOMINIQUE, CAMILLE)))

    assert decision.principal == DOMINIQUE
    assert decision.channel == "proxy"
    assert decision.add_attendance is None


def test_a_proxy_holder_need_not_be_an_associate_to_vote_for_their_principal() -> None:
    decision = check_ballot(ballot(me=SACHA, **proxy_from(DOMINIQUE, SACHA)))

    assert (decision.principal, decision.channel) == (DOMINIQUE, "proxy")


def test_no_one_votes_for_another_without_holding_their_proxy() -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        check_ballot(ballot(principal=DOMINIQUE))

    assert "Dominique" in refused.value.message.render()


def test_a_proxy_given_to_someone_else_does_not_let_me_vote() -> None:
    with pytest.raises(PermissionDeniedError):
        check_ballot(ballot(**proxy_from(DOMINIQUE, SACHA)))


def test_attending_in_person_is_not_a_proxy_to_anyone() -> None:
    with pytest.raises(PermissionDeniedError):
        check_ballot(ballot(principal=DOMINIQUE, principal_line=AttendanceOf("present", None)))


def test_a_proxy_from_someone_who_is_not_an_associate_gives_no_vote() -> None:
    with pytest.raises(ValidationError) as refused:
        check_ballot(ballot(**proxy_from(SACHA, CAMILLE)))

    assert refused.value.field == "member"
    assert "Sacha" in refused.value.message.render()


# ---- correspondence --------------------------------------------------------------------------


def test_the_secretary_records_a_correspondence_form_and_the_associate_is_listed_so() -> None:
    decision = check_ballot(
        ballot(channel="correspondence", actor_is_organiser=True, me=None, principal=DOMINIQUE)
    )

    assert decision.principal == DOMINIQUE
    assert decision.channel == "correspondence"
    assert decision.add_attendance == "correspondence"


def test_only_the_secretary_records_a_correspondence_form() -> None:
    with pytest.raises(PermissionDeniedError):
        check_ballot(ballot(channel="correspondence", principal=CAMILLE))


def test_a_correspondence_form_names_the_associate_it_is_for() -> None:
    with pytest.raises(ValidationError) as refused:
        check_ballot(ballot(channel="correspondence", actor_is_organiser=True))

    assert refused.value.field == "member"


def test_a_correspondence_form_is_refused_for_someone_attending_in_another_mode() -> None:
    for mode in ("present", "remote", "proxy"):
        facts = ballot(
            channel="correspondence",
            actor_is_organiser=True,
            principal=DOMINIQUE,
            principal_line=AttendanceOf(mode, CAMILLE.id if mode == "proxy" else None),
        )
        with pytest.raises(ConflictError) as refused:
            check_ballot(facts)
        assert "Dominique participe déjà" in refused.value.message.render()


def test_a_correspondence_form_for_someone_listed_as_voting_by_correspondence_is_accepted() -> None:
    decision = check_ballot(
        ballot(
            channel="correspondence",
            actor_is_organiser=True,
            principal=DOMINIQUE,
            principal_line=AttendanceOf("correspondence", None),
        )
    )

    assert decision.channel == "correspondence"
    assert decision.add_attendance is None


def test_a_correspondence_form_for_someone_who_is_not_an_associate_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        check_ballot(ballot(channel="correspondence", actor_is_organiser=True, principal=SACHA))

    assert refused.value.field == "member"


def test_an_unknown_channel_is_refused_on_its_field() -> None:
    with pytest.raises(ValidationError) as refused:
        check_ballot(ballot(channel="carrier pigeon"))

    assert refused.value.field == "channel"


# ---- choices ---------------------------------------------------------------------------------


def test_a_member_chooses_for_against_abstain_or_blank() -> None:
    assert [check_choice(c) for c in MEMBER_CHOICES] == ["for", "against", "abstain", "blank"]


def test_a_null_ballot_is_refused_to_a_member_but_allowed_when_asked_for() -> None:
    with pytest.raises(ValidationError) as refused:
        check_choice("null")

    assert refused.value.field == "choice"
    assert check_choice("null", allow_null=True) == "null"


def test_an_unknown_choice_is_refused_and_the_message_lists_the_possible_ones() -> None:
    with pytest.raises(ValidationError) as refused:
        check_choice("maybe", allow_null=True)

    text = refused.value.message.render()
    assert refused.value.field == "choice"
    assert "maybe" in text
    assert all(choice in text for choice in CHOICES)


# ---- secret ballots --------------------------------------------------------------------------


def test_the_hash_of_a_secret_ballot_is_the_same_every_time_for_the_same_ballot() -> None:
    first = secret_ballot_hash(7, 10, "for", "a" * 32)

    assert secret_ballot_hash(7, 10, "for", "a" * 32) == first
    assert len(first) == 64
    assert int(first, 16) >= 0


def test_the_hash_of_a_secret_ballot_differs_by_choice() -> None:
    hashes = {secret_ballot_hash(7, 10, choice, "a" * 32) for choice in CHOICES}

    assert len(hashes) == len(CHOICES)


@settings(max_examples=100)
@given(
    resolution=st.integers(1, 10_000),
    college=st.one_of(st.none(), st.integers(1, 10_000)),
    choices=st.lists(st.sampled_from(CHOICES), min_size=2, max_size=2, unique=True),
    code=st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
    other_code=st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
)
def test_a_secret_ballot_hash_changes_with_the_choice_the_code_and_the_resolution(
    resolution: int, college: int | None, choices: list[str], code: str, other_code: str
) -> None:
    mine = secret_ballot_hash(resolution, college, choices[0], code)

    assert secret_ballot_hash(resolution, college, choices[1], code) != mine
    assert secret_ballot_hash(resolution + 1, college, choices[0], code) != mine
    if other_code != code:
        assert secret_ballot_hash(resolution, college, choices[0], other_code) != mine
