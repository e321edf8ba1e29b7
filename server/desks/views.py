"""Messages several desks send: ``session`` and ``joined``."""

from __future__ import annotations

from server.parks import HostedPark
from world.people import Person
from world.permissions import perm_map
from world.protocol import messages as M
from world.protocol.quantize import pos_to_wire, yaw_to_wire


def user_info(person: Person) -> M.UserInfo:
    return M.UserInfo(id=person.user_id, name=person.name, role=person.role, color=person.color,
                      company=person.company)


def session_message(person: Person, resume: str, resume_ttl: float, *, token: str = "", expires: float = 0.0,
                    resumed: bool = False, park: str = "", rid: int = 0) -> M.Session:
    return M.Session(user=user_info(person), resume=resume, resume_ttl=resume_ttl, perms=perm_map(person),
                     token=token, expires=expires, resumed=resumed, park=park, lang=person.lang, re=rid)


def joined_message(park: HostedPark, eid: int, rid: int) -> M.Joined:
    av = park.room.avatars[eid]
    booths = [b.summary() for b in park.booths.values()]
    return M.Joined(park=park.id, you=eid, x=pos_to_wire(av.x), y=pos_to_wire(av.y), yaw=yaw_to_wire(av.yaw),
                    tick=park.room.tick, scene=f"/scenes/{park.id}.glb",
                    scene_hash=park.scene.sha256 if park.scene else "", booths=booths, re=rid)
