"""Seats in a park's halls: the main hall and its overflow halls, each holding at most
``capacity`` visitors.

A park's room is hall 1, the main hall. When it is full a newcomer is seated in an
overflow hall (hall 2, 3, ...: the same park, scene and booths, its own crowd): the
fullest open overflow hall that still has a seat, else a new one (the lowest free
number). An overflow hall that empties closes. When a seat in the main hall frees
up and someone sits in an overflow hall, that seat is *offered* to the one who has
waited there longest and held for them ``offer_s`` seconds (newcomers do not get it
meanwhile); ``accept`` moves them, ``decline`` or the offer running out passes it on.

Decisions and their effect can be apart (two connections deciding at once; another
process later): ``propose`` decides without changing anything, ``commit`` applies a
proposal if it is still possible and otherwise seats the person afresh, so no order
of commits ever puts more than ``capacity`` people in a hall or anyone in two halls.
``admit`` is the two at once. Pure: time (``now``) is passed in.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

MAIN = 1


class SeatError(ValueError):
    """A seat request that cannot be met: ``field`` names what is wrong."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}")


@dataclass(frozen=True, slots=True)
class Proposal:
    who: Hashable
    hall: int
    opens: bool  # a hall that was not open when decided


@dataclass(frozen=True, slots=True)
class Admission:
    hall: int
    opened: bool  # this admission opened the hall


@dataclass(frozen=True, slots=True)
class Offer:
    who: Hashable
    from_hall: int
    until: float  # the seat is held until then


@dataclass(frozen=True, slots=True)
class Change:
    """What a leave, a move or a lapse did: the hall that closed (0: none), the offers
    made and the offers withdrawn (run out, or their person left)."""

    closed: int = 0
    offers: tuple[Offer, ...] = ()
    withdrawn: tuple[Offer, ...] = ()


@dataclass
class Seats:
    capacity: int
    max_halls: int = 0  # 0: as many as needed
    offer_s: float = 30.0
    halls: dict[int, dict[Hashable, float]] = field(default_factory=lambda: {MAIN: {}})  # hall -> who -> since
    where: dict[Hashable, int] = field(default_factory=dict)
    offers: dict[Hashable, Offer] = field(default_factory=dict)
    declined: set[Hashable] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise SeatError("capacity", f"a hall holds at least one visitor (got {self.capacity})")
        if self.max_halls < 0:
            raise SeatError("max_halls", f"must be 0 (no limit) or more (got {self.max_halls})")

    # --- reading -----------------------------------------------------------------------

    def free(self, hall: int) -> int:
        """Seats a newcomer may take in ``hall`` (seats held for offers do not count)."""
        people = self.halls.get(hall)
        if people is None:
            return 0
        held = len(self.offers) if hall == MAIN else 0
        return self.capacity - len(people) - held

    def occupancy(self) -> dict[int, int]:
        return {hall: len(people) for hall, people in sorted(self.halls.items())}

    @property
    def seated(self) -> int:
        return len(self.where)

    def hall_of(self, who: Hashable) -> int | None:
        return self.where.get(who)

    # --- admission ---------------------------------------------------------------------

    def propose(self, who: Hashable) -> Proposal:
        """Where ``who`` would sit now, changing nothing. Raises ``SeatError`` when every
        hall is full and no more may open, or when ``who`` is seated already."""
        if who in self.where:
            raise SeatError("who", f"already seated in hall {self.where[who]}")
        if self.free(MAIN) > 0:
            return Proposal(who, MAIN, False)
        open_overflow = [(len(people), -hall, hall) for hall, people in self.halls.items()
                         if hall != MAIN and self.free(hall) > 0]
        if open_overflow:
            return Proposal(who, max(open_overflow)[2], False)
        if self.max_halls and len(self.halls) >= self.max_halls:
            raise SeatError("park", f"every hall is full ({self.max_halls} halls of {self.capacity})")
        hall = MAIN + 1
        while hall in self.halls:
            hall += 1
        return Proposal(who, hall, True)

    def commit(self, proposal: Proposal, now: float) -> Admission:
        """Seat ``proposal.who`` as proposed if that is still possible, else afresh."""
        who, hall = proposal.who, proposal.hall
        if who in self.where:
            raise SeatError("who", f"already seated in hall {self.where[who]}")
        opened = False
        if hall in self.halls:
            possible = self.free(hall) > 0
        else:
            possible = hall > MAIN and not (self.max_halls and len(self.halls) >= self.max_halls)
            opened = possible
        if not possible:
            return self.commit(self.propose(who), now)
        self.halls.setdefault(hall, {})[who] = now
        self.where[who] = hall
        return Admission(hall, opened)

    def admit(self, who: Hashable, now: float) -> Admission:
        return self.commit(self.propose(who), now)

    # --- leaving and moving --------------------------------------------------------------

    def leave(self, who: Hashable, now: float) -> Change:
        hall = self.where.pop(who, None)
        if hall is None:
            return Change()
        del self.halls[hall][who]
        self.declined.discard(who)
        withdrawn = (self.offers.pop(who),) if who in self.offers else ()
        closed = self._close_if_empty(hall)
        return Change(closed, self._offer(now), withdrawn)

    def accept(self, who: Hashable, now: float) -> Change:
        """Move ``who`` to the main hall: on the seat offered to them, or on a free one."""
        old = self.where.get(who)
        if old is None:
            raise SeatError("who", "not seated in any hall")
        if old == MAIN:
            raise SeatError("hall", "you are in the main hall already")
        offer = self.offers.pop(who, None)  # the seat it held is theirs now (even just after it ran out)
        if self.free(MAIN) <= 0:
            if offer is not None:
                self.offers[who] = offer
            raise SeatError("hall", "the main hall is full: no seat there is offered to you now")
        del self.halls[old][who]
        self.halls[MAIN][who] = now
        self.where[who] = MAIN
        return Change(self._close_if_empty(old), self._offer(now))

    def decline(self, who: Hashable, now: float) -> Change:
        offer = self.offers.pop(who, None)
        if offer is None:
            return Change()
        self.declined.add(who)
        return Change(0, self._offer(now), (offer,))

    def lapse(self, now: float) -> Change:
        """Offers that ran out are withdrawn (their person is not asked again) and the
        seats offered on."""
        gone = tuple(o for o in self.offers.values() if o.until < now)
        for offer in gone:
            del self.offers[offer.who]
            self.declined.add(offer.who)
        return Change(0, self._offer(now) if gone else (), gone)

    def _close_if_empty(self, hall: int) -> int:
        if hall != MAIN and not self.halls[hall]:
            del self.halls[hall]
            return hall
        return 0

    def _offer(self, now: float) -> tuple[Offer, ...]:
        """Offer every free main-hall seat to those waiting longest in overflow halls."""
        made: list[Offer] = []
        free = self.free(MAIN)
        if free <= 0:
            return ()
        waiting = sorted((since, hall, str(who), who) for hall, people in self.halls.items() if hall != MAIN
                         for who, since in people.items() if who not in self.offers and who not in self.declined)
        for _, hall, _, who in waiting[:free]:
            offer = self.offers[who] = Offer(who, hall, now + self.offer_s)
            made.append(offer)
        return tuple(made)
