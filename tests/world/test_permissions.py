"""Permissions: deny by default; booths are run by the organization that owns them."""

from __future__ import annotations

from world.people import Membership, Person
from world.permissions import ACTIONS, Resource, can, perm_map

ACME_ID, ZETA_ID = 11, 12
BOOTH = Resource(park_id="798-art-zone", booth_id="b01", owner_org=ACME_ID)


def member(user: str, org: int, role: str, name: str = "Acme Design") -> Person:
    return Person(user, user, "enterprise", registered=True,
                  memberships=(Membership(org, "enterprise", role, name),))


def staff_of(park: str) -> Person:
    return Person("s-" + park, "staff", "park_staff", registered=True,
                  memberships=(Membership(90, "park", "staff", park, park_id=park),))


ACME = member("acme", ACME_ID, "owner")
OTHER = member("zeta", ZETA_ID, "owner", "Zeta Media")
GUEST = Person("guest:1", "g", "guest")
VISITOR = Person("v1", "v", "visitor", registered=True)


def test_owner_edits_own_booth_and_other_enterprise_is_refused_with_a_reason() -> None:
    assert can(ACME, "booth.edit", BOOTH)
    denied = can(OTHER, "booth.edit", BOOTH)
    assert not denied and "another organization" in denied.reason


def test_ownership_is_by_organization_id_never_by_company_name() -> None:
    # an impostor whose enterprise has the same *name* as the owner gets nothing
    impostor = member("mallory", 99, "owner", name="Acme Design")
    for action in ("booth.edit", "booth.stats", "booth.staff"):
        decision = can(impostor, action, BOOTH)
        assert not decision, action


def test_members_go_on_duty_but_only_owners_and_admins_edit() -> None:
    employee = member("emp", ACME_ID, "member")
    assert can(employee, "booth.staff", BOOTH)
    refused = can(employee, "booth.edit", BOOTH)
    assert not refused and "member" in refused.reason
    assert can(member("adm", ACME_ID, "admin"), "booth.edit", BOOTH)


def test_park_staff_edit_booths_only_in_their_park() -> None:
    staff, elsewhere = staff_of("798-art-zone"), staff_of("751-d-park")
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
    assert not can(VISITOR, "no.such.action")
    assert not can(Person("x", "x", "pirate", registered=True), "park.join")
    admin = Person("a", "a", "admin", registered=True)
    assert can(admin, "booth.assign", BOOTH)
    refused = can(admin, "no.such.action")
    assert not refused and "unknown action" in refused.reason


def test_perm_map_covers_every_action_and_matches_can() -> None:
    m = perm_map(ACME)
    assert set(m) == set(ACTIONS)
    assert m["booth.edit"] and m["booth.card"] and not m["booth.assign"]
    g = perm_map(GUEST)
    assert not g["booth.card"] and g["booth.like"] and not g["booth.edit"]
    assert not perm_map(VISITOR)["booth.edit"]


def test_booths_are_assigned_by_admins_and_the_parks_own_staff_only() -> None:
    staff, elsewhere = staff_of("798-art-zone"), staff_of("751-d-park")
    admin = Person("root", "root", "admin", registered=True)
    assert can(admin, "booth.assign", BOOTH) and can(staff, "booth.assign", BOOTH)
    refused = can(elsewhere, "booth.assign", BOOTH)
    assert not refused and "798-art-zone" in refused.reason
    for who in (ACME, OTHER, VISITOR, GUEST, Person("gov", "g", "government", registered=True)):
        decision = can(who, "booth.assign", BOOTH)
        assert not decision and "admins" in decision.reason, who
    assert perm_map(staff)["booth.assign"] and not perm_map(ACME)["booth.assign"]


def test_every_role_times_every_action_has_an_answer_with_a_reason() -> None:
    people = [ACME, OTHER, GUEST, VISITOR, staff_of("798-art-zone"), member("e", ACME_ID, "member"),
              Person("root", "root", "admin", registered=True)]
    for who in people:
        for action in ACTIONS:
            decision = can(who, action, BOOTH)
            assert decision.reason, (who.user_id, action)


OFFICER = Person("gov", "gov", "government", registered=True)
DEPT = Person("d1", "d", "visitor", registered=True, memberships=(Membership(70, "department", "officer", "Bureau"),))
CONSOLES = ("console.government", "console.park", "console.enterprise", "console.employee")
# who opens which console (every role x every console; admins open all)
CONSOLE_TABLE = {
    "guest": (GUEST, set()),
    "visitor": (VISITOR, set()),
    "government": (OFFICER, {"console.government"}),
    "department officer": (DEPT, {"console.government"}),
    "park staff": (staff_of("798-art-zone"), {"console.park"}),
    "enterprise owner": (ACME, {"console.enterprise", "console.employee"}),
    "enterprise admin": (member("adm", ACME_ID, "admin"), {"console.enterprise", "console.employee"}),
    "enterprise member": (member("emp", ACME_ID, "member"), {"console.employee"}),
    "admin": (Person("a", "a", "admin", registered=True), set(CONSOLES)),
}


def test_every_role_opens_exactly_its_consoles_and_refusals_say_why() -> None:
    for label, (who, allowed) in CONSOLE_TABLE.items():
        for action in CONSOLES:
            decision = can(who, action)
            assert decision.allowed == (action in allowed), (label, action)
            assert decision.reason, (label, action)
    assert can(GUEST, "console.park").reason == "sign in first"


def test_console_resources_narrow_to_the_persons_own_park_and_enterprise() -> None:
    assert can(staff_of("798-art-zone"), "console.park", Resource(park_id="798-art-zone"))
    assert not can(staff_of("751-d-park"), "console.park", Resource(park_id="798-art-zone"))
    assert can(ACME, "console.enterprise", Resource(owner_org=ACME_ID))
    assert not can(OTHER, "console.enterprise", Resource(owner_org=ACME_ID))
    assert not can(member("emp", ACME_ID, "member"), "console.enterprise", Resource(owner_org=ACME_ID))


def test_account_self_needs_a_sign_in() -> None:
    assert can(VISITOR, "account.self") and not can(GUEST, "account.self")


ORG_ACTIONS = ("org.profile", "org.members", "org.invite", "account.reset")
ACME_ORG = Resource(owner_org=ACME_ID)
# who manages the Acme enterprise (every role x every enterprise action)
ORG_TABLE = {
    "guest": (GUEST, False),
    "visitor": (VISITOR, False),
    "government": (OFFICER, False),
    "park staff": (staff_of("798-art-zone"), False),
    "owner of another enterprise": (OTHER, False),
    "acme owner": (ACME, True),
    "acme admin": (member("adm", ACME_ID, "admin"), True),
    "acme member": (member("emp", ACME_ID, "member"), False),
    "admin": (Person("a", "a", "admin", registered=True), True),
}


def test_only_the_enterprises_owners_and_admins_run_its_profile_people_and_invitations() -> None:
    for label, (who, allowed) in ORG_TABLE.items():
        for action in ORG_ACTIONS:
            decision = can(who, action, ACME_ORG)
            assert decision.allowed == allowed, (label, action)
            assert decision.reason, (label, action)
    assert can(GUEST, "org.profile", ACME_ORG).reason == "sign in first"
    assert "ask its owner" in can(member("emp", ACME_ID, "member"), "org.invite", ACME_ORG).reason
    assert "owners and admins" in can(OTHER, "org.members", ACME_ORG).reason


def test_enterprise_actions_name_an_enterprise_and_resets_outside_one_are_for_admins() -> None:
    assert not can(ACME, "org.profile")  # no enterprise named: nothing to manage
    assert not can(ACME, "account.reset") and can(Person("a", "a", "admin", registered=True), "account.reset")
    assert "platform admin" in can(ACME, "account.reset").reason
    assert perm_map(ACME)["org.invite"] and not perm_map(member("emp", ACME_ID, "member"))["org.invite"]


# the park catalogue: who edits a park's entry, proposes a new park, decides proposals
CATALOGUE_TABLE = {
    "guest": (GUEST, set()),
    "visitor": (VISITOR, {"park.propose"}),
    "government": (OFFICER, {"park.propose"}),
    "park staff of 798": (staff_of("798-art-zone"), {"park.edit", "park.propose"}),
    "park staff elsewhere": (staff_of("751-d-park"), {"park.propose"}),
    "enterprise owner": (ACME, {"park.propose"}),
    "enterprise member": (member("emp", ACME_ID, "member"), {"park.propose"}),
    "admin": (Person("a", "a", "admin", registered=True), {"park.edit", "park.propose", "park.approve"}),
}


def test_every_role_times_every_catalogue_action() -> None:
    park = Resource(park_id="798-art-zone")
    for label, (who, allowed) in CATALOGUE_TABLE.items():
        for action in ("park.edit", "park.propose", "park.approve"):
            decision = can(who, action, park)
            assert decision.allowed == (action in allowed), (label, action)
            assert decision.reason, (label, action)
    assert can(GUEST, "park.propose").reason == "sign in first"
    assert "751-d-park" not in can(staff_of("751-d-park"), "park.edit", park).reason
    assert "798-art-zone" in can(staff_of("751-d-park"), "park.edit", park).reason
    assert "admins" in can(staff_of("798-art-zone"), "park.approve", park).reason
    assert perm_map(staff_of("798-art-zone"))["park.edit"] and not perm_map(VISITOR)["park.edit"]


PARK_ACTIONS = ("park.tenants", "park.staff", "audit.read")
HERE, ELSEWHERE = Resource(park_id="798-art-zone"), Resource(park_id="751-d-park")
# every role x the park office's actions, asked of a park (798) and of the whole zone (no park)
PARK_OFFICE_TABLE = {
    "guest": (GUEST, set(), set()),
    "visitor": (VISITOR, set(), set()),
    "government": (OFFICER, {"audit.read"}, {"audit.read"}),
    "department officer": (DEPT, {"audit.read"}, {"audit.read"}),
    "park staff of 798": (staff_of("798-art-zone"), set(PARK_ACTIONS), set()),
    "park staff of 751": (staff_of("751-d-park"), set(), set()),
    "enterprise owner": (ACME, set(), set()),
    "enterprise member": (member("emp", ACME_ID, "member"), set(), set()),
    "admin": (Person("a", "a", "admin", registered=True), set(PARK_ACTIONS), set(PARK_ACTIONS)),
}


def test_the_park_office_runs_only_its_own_park_and_the_audit_log_is_read_by_few() -> None:
    for label, (who, of_park, of_zone) in PARK_OFFICE_TABLE.items():
        for action in PARK_ACTIONS:
            here, zone = can(who, action, HERE), can(who, action, NOTHING_AT_ALL)
            assert here.allowed == (action in of_park), (label, action, here.reason)
            assert zone.allowed == (action in of_zone), (label, action, zone.reason)
            assert here.reason and zone.reason
    refused = can(staff_of("751-d-park"), "park.tenants", HERE)
    assert not refused and "798-art-zone" in refused.reason
    assert can(GUEST, "park.staff", HERE).reason == "sign in first"
    assert not can(staff_of("798-art-zone"), "audit.read", ELSEWHERE)
    assert perm_map(staff_of("798-art-zone"))["park.tenants"] and not perm_map(ACME)["park.tenants"]


NOTHING_AT_ALL = Resource()


POLICY_ACTIONS = ("policy.publish", "policy.review")
BY_BUREAU, BY_OTHER_BUREAU, BY_PARK = Resource(owner_org=70), Resource(owner_org=71), Resource(owner_org=90)
OTHER_DEPT = Person("d2", "d", "visitor", registered=True,
                    memberships=(Membership(71, "department", "officer", "Other bureau"),))
# every role x (publish, review) of a policy issued by bureau 70, by park organization 90,
# and with no issuer named ("may I at all"); and policy.apply for the Acme enterprise
POLICY_TABLE = {
    "guest": (GUEST, False, False, False, False),
    "visitor": (VISITOR, False, False, False, False),
    "government role without a department": (OFFICER, False, False, False, False),
    "officer of bureau 70": (DEPT, True, False, True, False),
    "officer of another bureau": (OTHER_DEPT, False, False, True, False),
    "park staff (org 90)": (staff_of("798-art-zone"), False, True, True, False),
    "acme owner": (ACME, False, False, False, True),
    "acme admin": (member("adm", ACME_ID, "admin"), False, False, False, True),
    "acme member": (member("emp", ACME_ID, "member"), False, False, False, False),
    "owner of another enterprise": (OTHER, False, False, False, False),
    "admin": (Person("a", "a", "admin", registered=True), True, True, True, True),
}


def test_policies_are_published_and_reviewed_by_their_issuer_and_applied_for_by_enterprise_managers() -> None:
    for label, (who, bureau, park, anywhere, apply) in POLICY_TABLE.items():
        for action in POLICY_ACTIONS:
            for res, allowed in ((BY_BUREAU, bureau), (BY_PARK, park), (NOTHING_AT_ALL, anywhere)):
                decision = can(who, action, res)
                assert decision.allowed == allowed, (label, action, res, decision.reason)
                assert decision.reason
            assert not can(who, action, BY_OTHER_BUREAU) or label in ("admin", "officer of another bureau")
        decision = can(who, "policy.apply", ACME_ORG)
        assert decision.allowed == apply, (label, decision.reason)
        assert decision.reason
    assert can(GUEST, "policy.apply", ACME_ORG).reason == "sign in first"
    assert "issuing body's own officers" in can(OTHER_DEPT, "policy.review", BY_BUREAU).reason
    assert "owners and admins" in can(member("emp", ACME_ID, "member"), "policy.apply", ACME_ORG).reason
    assert can(ACME, "policy.apply") and not can(member("emp", ACME_ID, "member"), "policy.apply")
