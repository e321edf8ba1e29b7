"""Which of an enterprise's people an owner or admin may change, and how.

``world.permissions`` decides that someone may manage an enterprise at all
(``org.members``, ``org.invite``, ``account.reset``); these rules decide the single
step, given the actor's role and the target's. ``"platform"`` stands for a platform
admin, who acts like an owner. Each function returns the problem in words, or None.

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

PLATFORM = "platform"
ENTERPRISE_ROLES = ("owner", "admin", "member")  # in the order the consoles list them
_OVER_ALL = frozenset({"owner", PLATFORM})


def role_change_problem(actor: str, target: str, new: str, owners: int) -> str | None:
    """May ``actor`` (its role) give a person whose role is ``target`` the role ``new``,
    when the enterprise has ``owners`` owners now?"""
    if new not in ENTERPRISE_PEOPLE:
        return f"role: {new!r} is not one of {', '.join(ENTERPRISE_ROLES)}"
    if actor not in _OVER_ALL:
        if target != "member":
            return f"role: an admin changes members only, not a {target}"
        if new == "owner":
            return "role: only an owner makes someone an owner"
    if target == "owner" and new != "owner" and owners <= 1:
        return "role: the last owner cannot be demoted: make someone else owner first"
    return None


def removal_problem(actor: str, target: str, owners: int) -> str | None:
    if actor not in _OVER_ALL and target != "member":
        return f"user: an admin removes members only, not a {target}"
    if target == "owner" and owners <= 1:
        return "user: the last owner cannot be removed: make someone else owner first"
    return None


def invite_problem(actor: str, role: str) -> str | None:
    if role not in ENTERPRISE_PEOPLE:
        return f"role: {role!r} is not one of {', '.join(ENTERPRISE_ROLES)}"
    if actor not in _OVER_ALL and role == "owner":
        return "role: only an owner invites owners"
    return None


def reset_problem(actor: str, target: str, *, self_reset: bool, elsewhere: bool = False) -> str | None:
    """``elsewhere``: the target holds something outside this enterprise (see above)."""
    if self_reset:
        return "user: change your own password in the employee console"
    if not target:
        return "user: not one of this enterprise's people"
    if actor not in _OVER_ALL and target != "member":
        return f"user: an admin issues reset links for members only, not for a {target}"
    if elsewhere and actor != PLATFORM:
        return ("user: this person also belongs to another organization or holds a platform role: "
                "only the platform admin issues their reset link")
    return None
