"""Which of an enterprise's people an owner or admin may change, and how."""

from __future__ import annotations

from world.membership_rules import (
    PLATFORM,
    invite_problem,
    removal_problem,
    reset_problem,
    role_change_problem,
)


def test_the_last_owner_is_never_demoted_or_removed() -> None:
    for actor in ("owner", PLATFORM):
        assert "last owner" in (role_change_problem(actor, "owner", "admin", owners=1) or "")
        assert "last owner" in (removal_problem(actor, "owner", owners=1) or "")
        assert role_change_problem(actor, "owner", "admin", owners=2) is None
        assert removal_problem(actor, "owner", owners=2) is None


def test_admins_change_members_only_and_never_make_owners() -> None:
    assert role_change_problem("admin", "member", "admin", owners=1) is None
    assert "only an owner" in (role_change_problem("admin", "member", "owner", owners=1) or "")
    assert "members only" in (role_change_problem("admin", "admin", "member", owners=1) or "")
    assert "members only" in (removal_problem("admin", "owner", owners=3) or "")
    assert removal_problem("admin", "member", owners=1) is None
    assert role_change_problem("owner", "member", "owner", owners=1) is None


def test_roles_outside_an_enterprise_are_refused_naming_the_field() -> None:
    assert (role_change_problem("owner", "member", "staff", owners=1) or "").startswith("role:")
    assert (invite_problem("owner", "officer") or "").startswith("role:")


def test_invitations_and_reset_links_follow_the_same_ranks() -> None:
    assert invite_problem("owner", "owner") is None and invite_problem(PLATFORM, "owner") is None
    assert "only an owner" in (invite_problem("admin", "owner") or "")
    assert invite_problem("admin", "admin") is None
    assert reset_problem("owner", "admin", self_reset=False) is None
    assert "members only" in (reset_problem("admin", "admin", self_reset=False) or "")
    assert reset_problem("admin", "member", self_reset=False) is None
    assert "own password" in (reset_problem("owner", "owner", self_reset=True) or "")
    assert "not one of" in (reset_problem("owner", "", self_reset=False) or "")
    # someone who also holds another organization or a platform role: the platform admin only
    assert "platform admin" in (reset_problem("owner", "member", self_reset=False, elsewhere=True) or "")
    assert reset_problem("platform", "member", self_reset=False, elsewhere=True) is None
