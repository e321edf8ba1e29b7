"""Permissions: deny by default, enterprises edit only their own booths."""

from __future__ import annotations

from world.permissions import ACTIONS, Actor, Resource, can, perm_map

BOOTH = Resource(park_id="798-art-zone", booth_id="b01", owner_company="Acme Design", owner_user_id="acme")
ACME = Actor("acme", "enterprise", company="Acme Design")
OTHER = Actor("zeta", "enterprise", company="Zeta Media")
GUEST = Actor("g1", "guest")
VISITOR = Actor("v1", "visitor")


def test_owner_edits_own_booth_and_other_enterprise_is_refused_with_a_reason() -> None:
    assert can(ACME, "booth.edit", BOOTH)
    denied = can(OTHER, "booth.edit", BOOTH)
    assert not denied and "another enterprise" in denied.reason


def test_park_staff_edit_booths_only_in_their_park() -> None:
    staff = Actor("s", "park_staff", parks=frozenset({"798-art-zone"}))
    elsewhere = Actor("s2", "park_staff", parks=frozenset({"751-d-park"}))
    assert can(staff, "booth.edit", BOOTH) and can(staff, "booth.stats", BOOTH)
    assert not can(elsewhere, "booth.edit", BOOTH)
    assert not can(staff, "booth.staff", BOOTH)  # duty is for the enterprise's people


def test_guests_like_and_chat_but_cannot_leave_cards() -> None:
    for action in ("park.join", "chat.near", "chat.park", "chat.booth", "booth.like"):
        assert can(GUEST, action, BOOTH)
    card = can(GUEST, "booth.card", BOOTH)
    assert not card and "register" in card.reason
    assert can(VISITOR, "booth.card", BOOTH)


def test_deny_by_default() -> None:
    assert not can(VISITOR, "booth.edit", BOOTH)
    assert not can(VISITOR, "account.create_role")
    assert not can(VISITOR, "no.such.action")
    assert not can(Actor("x", "pirate"), "park.join")
    assert can(Actor("a", "admin"), "account.create_role")
    assert not can(Actor("a", "admin"), "no.such.action")


def test_perm_map_covers_every_action_and_matches_can() -> None:
    m = perm_map(ACME)
    assert set(m) == set(ACTIONS)
    assert m["booth.edit"] and m["booth.card"] and not m["account.create_role"]
    g = perm_map(GUEST)
    assert not g["booth.card"] and g["booth.like"] and not g["booth.edit"]


def test_booths_are_assigned_by_admins_and_the_parks_own_staff_only() -> None:
    staff = Actor("s", "park_staff", parks=frozenset({"798-art-zone"}))
    elsewhere = Actor("s2", "park_staff", parks=frozenset({"751-d-park"}))
    admin = Actor("root", "admin")
    assert can(admin, "booth.assign", BOOTH) and can(staff, "booth.assign", BOOTH)
    refused = can(elsewhere, "booth.assign", BOOTH)
    assert not refused and "798-art-zone" in refused.reason
    for actor in (ACME, OTHER, VISITOR, GUEST, Actor("gov", "government"), Actor("org", "organizer")):
        decision = can(actor, "booth.assign", BOOTH)
        assert not decision and "admins" in decision.reason, actor
    assert perm_map(staff)["booth.assign"] and not perm_map(ACME)["booth.assign"]
