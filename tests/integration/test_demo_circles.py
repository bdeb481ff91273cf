"""The minimal circles service used by the demo: admins build the tree and link members."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from governance.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from governance.services import circles
from governance.store.tables import AuditEvent
from governance.store.uow import UnitOfWork, org_chain
from tests.factories import actor_of, add_member, make_org

Uow = Callable[[], UnitOfWork]


def test_an_admin_builds_a_circle_tree_and_each_step_is_logged(uow: Uow) -> None:
    fx = make_org(uow)
    member = add_member(uow, fx, "Lou Cercle")
    with uow() as u:
        org = u.session.merge(fx.org)
        root = circles.create_circle(u, actor=fx.admin_actor, org=org, name="Général", aim="Relier")
        child = circles.create_circle(
            u, actor=fx.admin_actor, org=org, name="Projets", aim="Lancer", parent=root.id
        )
        link = circles.add_circle_member(
            u, actor=fx.admin_actor, org=org, circle=child, member=member.id, link="leader",
            roles=("facilitator",),
        )
        u.commit()
    assert child.parent_id == root.id and (link.link, link.roles) == ("leader", "facilitator")
    with uow() as u:
        actions = list(
            u.session.execute(
                select(AuditEvent.action).where(AuditEvent.chain == org_chain(fx.org.id))
            ).scalars()
        )
    assert actions[-3:] == ["circle.created", "circle.created", "circle.member_added"]


def test_circles_refuse_bad_input_strangers_and_duplicates(uow: Uow) -> None:
    fx = make_org(uow)
    other = make_org(uow, slug="autre")
    member = add_member(uow, fx, "Max Double")
    stranger = add_member(uow, other, "Zed Ailleurs")
    with uow() as u:
        org = u.session.merge(fx.org)
        with pytest.raises(PermissionDeniedError):
            circles.create_circle(
                u, actor=actor_of(other.admin), org=org, name="X", aim="Y"
            )
        with pytest.raises(ValidationError) as error:
            circles.create_circle(u, actor=fx.admin_actor, org=org, name=" ", aim="")
        assert {p.field for p in error.value.problems} == {"name", "aim"}
        circle = circles.create_circle(u, actor=fx.admin_actor, org=org, name="C", aim="A")
        with pytest.raises(ConflictError):
            circles.create_circle(u, actor=fx.admin_actor, org=org, name="C", aim="A")
        with pytest.raises(NotFoundError):
            circles.add_circle_member(
                u, actor=fx.admin_actor, org=org, circle=circle, member=stranger.id
            )
        with pytest.raises(ValidationError):
            circles.add_circle_member(
                u, actor=fx.admin_actor, org=org, circle=circle, member=member.id, link="boss"
            )
        circles.add_circle_member(u, actor=fx.admin_actor, org=org, circle=circle, member=member.id)
        with pytest.raises(ConflictError):
            circles.add_circle_member(
                u, actor=fx.admin_actor, org=org, circle=circle, member=member.id
            )
