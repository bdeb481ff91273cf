"""Proxies, attendance modes and who counts towards the quorum (pure, no database)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.errors import ConflictError, ValidationError
from governance.rules.assemblies.attendance import (
    ATTENDANCE_MODES,
    AttendanceLine,
    AttendanceModeFacts,
    ProxyFacts,
    blank_proxy_choice,
    check_attendance_mode,
    check_proxy,
    count_for_quorum,
)


def proxy(**overrides: Any) -> ProxyFacts:
    """Camille gives her proxy to Dominique, an associate with no proxy yet (cap of 2)."""
    facts: dict[str, Any] = {
        "principal_name": "Camille",
        "holder_name": "Dominique",
        "holder_is_associate": True,
        "holder_is_member": True,
        "holder_gave_proxy": False,
        "principal_holds_proxies": 0,
        "holder_current_proxies": 0,
        "cap": 2,
        "holder_must_be_member": True,
    }
    facts.update(overrides)
    return ProxyFacts(**facts)


def refused_field(facts: ProxyFacts) -> tuple[str | None, str]:
    with pytest.raises(ValidationError) as refused:
        check_proxy(facts)
    return refused.value.field, refused.value.message.render()


# ---- proxies ---------------------------------------------------------------------------------


def test_a_proxy_to_an_associate_below_the_cap_is_accepted() -> None:
    check_proxy(proxy())
    check_proxy(proxy(holder_current_proxies=1))


def test_a_blank_proxy_is_accepted_whatever_else_is_said() -> None:
    check_proxy(
        proxy(
            holder_name=None,
            holder_is_associate=False,
            holder_is_member=False,
            holder_gave_proxy=True,
            principal_holds_proxies=3,
            holder_current_proxies=9,
            cap=1,
        )
    )


def test_an_associate_who_holds_proxies_cannot_give_their_own() -> None:
    field, text = refused_field(proxy(principal_holds_proxies=2))

    assert field == "mode"
    assert "Camille détient déjà 2 pouvoir(s)" in text


def test_a_proxy_is_not_passed_on_to_someone_who_gave_theirs() -> None:
    field, text = refused_field(proxy(holder_gave_proxy=True))

    assert field == "holder"
    assert "Dominique est lui-même représenté(e)" in text


def test_the_holder_must_be_an_associate_when_the_statutes_say_so() -> None:
    field, text = refused_field(proxy(holder_is_associate=False))

    assert field == "holder"
    assert "Dominique n'est pas associé(e)" in text


def test_a_holder_who_is_not_an_associate_is_accepted_when_the_statutes_allow_it() -> None:
    check_proxy(proxy(holder_is_associate=False, holder_must_be_member=False))


def test_the_holder_must_belong_to_the_organisation() -> None:
    field, text = refused_field(
        proxy(holder_is_associate=False, holder_is_member=False, holder_must_be_member=False)
    )

    assert field == "holder"
    assert "Dominique n'est pas membre de l'organisation" in text


def test_a_holder_at_the_cap_takes_no_more_proxies() -> None:
    field, text = refused_field(proxy(holder_current_proxies=2, cap=2))

    assert field == "holder"
    assert "Dominique détient déjà 2 pouvoir(s) (maximum 2)" in text


def test_without_a_cap_a_holder_takes_any_number_of_proxies() -> None:
    check_proxy(proxy(holder_current_proxies=40, cap=None))


def test_a_blank_proxy_votes_for_the_board_s_resolutions_and_against_the_others() -> None:
    assert blank_proxy_choice(board_proposed=True) == "for"
    assert blank_proxy_choice(board_proposed=False) == "against"


# ---- attendance modes ------------------------------------------------------------------------


def mode(**overrides: Any) -> AttendanceModeFacts:
    facts: dict[str, Any] = {
        "mode": "present",
        "holder_given": False,
        "statutes_allow_remote": True,
        "assembly_remote": True,
        "has_voted": False,
        "member_name": "Camille",
    }
    facts.update(overrides)
    return AttendanceModeFacts(**facts)


def test_every_known_mode_is_accepted_when_the_statutes_and_the_convocation_allow_it() -> None:
    for name in ATTENDANCE_MODES:
        check_attendance_mode(mode(mode=name, holder_given=name == "proxy"))


def test_an_unknown_mode_is_refused_on_its_field() -> None:
    with pytest.raises(ValidationError) as refused:
        check_attendance_mode(mode(mode="telepathy"))

    assert refused.value.field == "mode"


def test_remote_attendance_needs_the_statutes_to_provide_for_it() -> None:
    with pytest.raises(ValidationError) as refused:
        check_attendance_mode(mode(mode="remote", statutes_allow_remote=False))

    assert refused.value.field == "mode"
    assert "statuts" in refused.value.message.render()


def test_remote_attendance_needs_an_assembly_convened_for_it() -> None:
    with pytest.raises(ValidationError) as refused:
        check_attendance_mode(mode(mode="remote", assembly_remote=False))

    assert refused.value.field == "mode"
    assert "Cette assemblée" in refused.value.message.render()


def test_a_holder_is_named_only_with_a_proxy() -> None:
    with pytest.raises(ValidationError) as refused:
        check_attendance_mode(mode(mode="present", holder_given=True))

    assert refused.value.field == "holder"


def test_an_associate_who_has_voted_can_no_longer_change_how_they_take_part() -> None:
    with pytest.raises(ConflictError) as refused:
        check_attendance_mode(mode(has_voted=True))

    assert "Camille a déjà voté" in refused.value.message.render()


# ---- quorum ----------------------------------------------------------------------------------


def test_correspondence_forms_count_for_the_quorum_only_when_received_before_the_meeting() -> None:
    voters = [(1, 10), (2, 10), (3, 20)]
    lines = {
        1: AttendanceLine(1, "correspondence", before_meeting=True),
        2: AttendanceLine(2, "correspondence", before_meeting=False),
    }

    count = count_for_quorum(voters, lines)

    assert count.by_mode["correspondence"] == 1
    assert count.attending == {10: 1}


def test_the_quorum_counts_each_attending_associate_by_mode_and_by_college() -> None:
    voters = [(1, 10), (2, 10), (3, 20), (4, 20), (5, None)]
    lines = {
        1: AttendanceLine(1, "present", before_meeting=False),
        2: AttendanceLine(2, "proxy", before_meeting=False),
        3: AttendanceLine(3, "remote", before_meeting=False),
        5: AttendanceLine(5, "present", before_meeting=True),
    }

    count = count_for_quorum(voters, lines)

    assert count.by_mode == {"present": 2, "remote": 1, "proxy": 1, "correspondence": 0}
    assert count.attending == {10: 2, 20: 1, None: 1}
    assert count.members == {10: 2, 20: 2, None: 1}
    assert count.eligible == 5


def test_a_line_of_someone_who_is_no_longer_an_associate_does_not_count() -> None:
    lines = {9: AttendanceLine(9, "present", before_meeting=False)}

    count = count_for_quorum([(1, 10)], lines)

    assert sum(count.by_mode.values()) == 0
    assert count.attending == {}
    assert count.eligible == 1


@settings(max_examples=50)
@given(
    lines=st.dictionaries(
        st.integers(1, 12),
        st.tuples(st.sampled_from(ATTENDANCE_MODES), st.booleans()),
    ),
    colleges=st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=12, max_size=12),
)
def test_no_college_counts_more_attending_than_members(
    lines: dict[int, tuple[str, bool]], colleges: list[int | None]
) -> None:
    voters = [(i + 1, college) for i, college in enumerate(colleges)]
    sheet = {m: AttendanceLine(m, mode, before) for m, (mode, before) in lines.items()}

    count = count_for_quorum(voters, sheet)

    late_forms = [m for m, before in lines.values() if m == "correspondence" and not before]
    counted = len(lines) - len(late_forms)
    assert sum(count.attending.values()) == sum(count.by_mode.values()) == counted
    assert all(count.attending[c] <= count.members[c] for c in count.attending)
    assert count.eligible == len(voters)
