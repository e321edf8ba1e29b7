"""Which of an enterprise's people an owner or admin may change, and how.

``world.permissions`` decides that someone may manage an enterprise at all
(``org.members``, ``org.invite``, ``account.reset``); these rules decide the single
step, given the actor's role and the target's. ``"platform"`` stands for a platform
admin, who acts like an owner. Each function returns the problem in words (a
``Refusal``: the English "field: problem", which also carries its catalogue code
``people.p.<code>`` and params for the pages), or None.

- An enterprise always keeps an owner: the last owner is neither demoted nor removed.
- Owners change anyone; an admin changes members only and never makes an owner (an
  admin cannot lift itself or others above it).
- Invitations: owners invite any enterprise role, admins invite admins and members.
- Reset links: owners for anyone else of the enterprise, admins for members; nobody
  for themselves (they change their own password in the employee console). A person
  who also holds anything outside this enterprise (another organization's membership,
  a park's staff, a platform role above visitor) gets theirs from the platform admin
  only: whoever holds a reset link holds the account, and all it may do elsewhere.
"""

from __future__ import annotations

from world.people import ENTERPRISE_PEOPLE


class Refusal(str):
    """A problem in English words ("field: problem") that also names its field and its
    catalogue code (``people.p.<code>``) with the params, for a page in the person's language."""

    field: str
    code: str
    params: dict[str, object]

    def __new__(cls, field: str, problem: str, code: str, /, **params: object) -> Refusal:
        made = super().__new__(cls, f"{field}: {problem}")
        made.field, made.code, made.params = field, code, params
        return made


PLATFORM = "platform"
ENTERPRISE_ROLES = ("owner", "admin", "member")  # in the order the consoles list them
_OVER_ALL = frozenset({"owner", PLATFORM})


def role_change_problem(actor: str, target: str, new: str, owners: int) -> str | None:
    """May ``actor`` (its role) give a person whose role is ``target`` the role ``new``,
    when the enterprise has ``owners`` owners now?"""
    if new not in ENTERPRISE_PEOPLE:
        return Refusal("role", f"{new!r} is not one of {', '.join(ENTERPRISE_ROLES)}", "not_role", role=new)
    if actor not in _OVER_ALL:
        if target != "member":
            return Refusal("role", f"an admin changes members only, not a {target}", "admin_members", role=target)
        if new == "owner":
            return Refusal("role", "only an owner makes someone an owner", "owner_makes_owner")
    if target == "owner" and new != "owner" and owners <= 1:
        return Refusal("role", "the last owner cannot be demoted: make someone else owner first", "last_owner")
    return None


def removal_problem(actor: str, target: str, owners: int) -> str | None:
    if actor not in _OVER_ALL and target != "member":
        return Refusal("user", f"an admin removes members only, not a {target}", "admin_removes", role=target)
    if target == "owner" and owners <= 1:
        return Refusal("user", "the last owner cannot be removed: make someone else owner first", "last_owner_removed")
    return None


def invite_problem(actor: str, role: str) -> str | None:
    if role not in ENTERPRISE_PEOPLE:
        return Refusal("role", f"{role!r} is not one of {', '.join(ENTERPRISE_ROLES)}", "not_role", role=role)
    if actor not in _OVER_ALL and role == "owner":
        return Refusal("role", "only an owner invites owners", "owner_invites")
    return None


def reset_problem(actor: str, target: str, *, self_reset: bool, elsewhere: bool = False) -> str | None:
    """``elsewhere``: the target holds something outside this enterprise (see above)."""
    if self_reset:
        return Refusal("user", "change your own password in the employee console", "own_reset")
    if not target:
        return Refusal("user", "not one of this enterprise's people", "not_member")
    if actor not in _OVER_ALL and target != "member":
        return Refusal("user", f"an admin issues reset links for members only, not for a {target}", "admin_resets",
                       role=target)
    if elsewhere and actor != PLATFORM:
        return Refusal("user", "this person also belongs to another organization or holds a platform role: "
                       "only the platform admin issues their reset link", "reset_elsewhere")
    return None
