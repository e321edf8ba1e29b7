"""Every message on the wire, as msgspec Structs tagged by the map key ``t``.

Client -> server messages validate themselves on decode (types, ranges, lengths);
fields a newer peer adds are ignored. Requests that expect an answer carry ``id``
(any u32 the client chooses, 0 = no answer needed for success); the answer carries
``re`` with the same number: ``ok``, ``error`` or a typed reply.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta, Raw, Struct

from world.protocol import constants as C

U32 = Annotated[int, Meta(ge=0, le=0xFFFFFFFF)]
Unit = Annotated[float, Meta(ge=-1.0, le=1.0)]
Yaw = Annotated[float, Meta(ge=-7.0, le=7.0)]  # radians; finite, about one turn either way
Rgb = Annotated[int, Meta(ge=0, le=0xFFFFFF)]
Name = Annotated[str, Meta(min_length=1, max_length=C.MAX_NAME_CHARS)]
Ident = Annotated[str, Meta(min_length=1, max_length=C.MAX_ID_CHARS)]
Short = Annotated[str, Meta(max_length=C.MAX_SHORT_CHARS)]
LongText = Annotated[str, Meta(max_length=C.MAX_TEXT_CHARS)]
Url = Annotated[str, Meta(max_length=C.MAX_URL_CHARS)]
ChatText = Annotated[str, Meta(min_length=1, max_length=C.MAX_CHAT_CHARS)]
Password = Annotated[str, Meta(min_length=1, max_length=C.MAX_PASSWORD_CHARS)]


class _C2S(Struct, tag_field="t", omit_defaults=True):
    """Base of client -> server messages."""


class _S2C(Struct, tag_field="t", omit_defaults=True):
    """Base of server -> client messages."""


# --- shared records ------------------------------------------------------------


class Link(Struct, omit_defaults=True, frozen=True):
    label: Short
    url: Url


class Product(Struct, omit_defaults=True, frozen=True):
    name: Short
    description: LongText = ""
    price: Short = ""
    image: Url = ""
    url: Url = ""


class BoothContent(Struct, omit_defaults=True, frozen=True):
    name: Short = ""
    tagline: Short = ""
    description: LongText = ""
    logo: Url = ""
    image: Url = ""
    video: Url = ""
    links: Annotated[tuple[Link, ...], Meta(max_length=C.MAX_LINKS)] = ()
    products: Annotated[tuple[Product, ...], Meta(max_length=C.MAX_PRODUCTS)] = ()


class BoothPatch(Struct, omit_defaults=True, frozen=True):
    """A partial edit: fields left out (None) keep their value."""

    name: Short | None = None
    tagline: Short | None = None
    description: LongText | None = None
    logo: Url | None = None
    image: Url | None = None
    video: Url | None = None
    links: Annotated[tuple[Link, ...], Meta(max_length=C.MAX_LINKS)] | None = None
    products: Annotated[tuple[Product, ...], Meta(max_length=C.MAX_PRODUCTS)] | None = None


# --- client -> server ------------------------------------------------------------


class Hello(_C2S, tag="hello"):
    v: int
    client: Short = ""
    resume: Annotated[str, Meta(max_length=200)] | None = None


class Guest(_C2S, tag="guest"):
    name: Name
    color: Rgb | None = None
    id: U32 = 0


class Register(_C2S, tag="register"):
    user: Ident
    password: Password
    name: Name
    role: str = "visitor"
    company: Short = ""
    id: U32 = 0


class Login(_C2S, tag="login"):
    user: Ident
    password: Password
    id: U32 = 0


class TokenLogin(_C2S, tag="token"):
    token: Annotated[str, Meta(min_length=1, max_length=200)]
    id: U32 = 0


class CodeLogin(_C2S, tag="code_login"):
    """Sign in with a one-time code made on the web: a desktop code shown in the console
    (``K7QP-M2XD``; case, spaces and dashes do not matter) or the browser 3D page's ticket."""

    code: Annotated[str, Meta(min_length=1, max_length=64)]
    id: U32 = 0


class ListParks(_C2S, tag="parks"):
    id: U32 = 0


class Join(_C2S, tag="join"):
    park: Ident
    spawn: Ident | None = None
    id: U32 = 0


class Leave(_C2S, tag="leave"):
    id: U32 = 0


class Input(_C2S, tag="in", gc=False):  # scalars only: never in a cycle, never tracked
    """Movement intent for ``n`` simulation ticks (default one): direction (world frame,
    |(mx,my)| <= 1). ``n`` > 1 batches ticks of the same intent into one message (bots
    send 10 Hz with n=2); the rate limit counts ticks, and ``a`` acknowledges ``s``
    once all ``n`` ticks are applied."""

    s: U32
    mx: Unit = 0.0
    my: Unit = 0.0
    yaw: Yaw = 0.0
    run: bool = False
    n: Annotated[int, Meta(ge=1, le=C.MAX_INPUT_TICKS)] = 1


class Emote(_C2S, tag="emote"):
    e: Annotated[str, Meta(max_length=16)]


class Look(_C2S, tag="look"):
    color: Rgb | None = None
    name: Name | None = None
    id: U32 = 0


class Chat(_C2S, tag="chat"):
    ch: Annotated[str, Meta(max_length=8)]  # "near" | "park" | "booth"
    text: ChatText
    booth: Ident | None = None
    id: U32 = 0


class Like(_C2S, tag="like"):
    booth: Ident
    id: U32 = 0


class Card(_C2S, tag="card"):
    """A business card left at a booth: only sent with the visitor's explicit consent."""

    booth: Ident
    name: Annotated[str, Meta(min_length=1, max_length=C.MAX_SHORT_CHARS)]
    consent: bool
    company: Short = ""
    email: Short = ""
    phone: Short = ""
    message: LongText = ""
    id: U32 = 0


class BoothEdit(_C2S, tag="booth_edit"):
    booth: Ident
    content: BoothPatch
    id: U32 = 0


class BoothStats(_C2S, tag="booth_stats"):
    booth: Ident
    id: U32 = 0


class BoothStaff(_C2S, tag="booth_staff"):
    booth: Ident
    on: bool
    id: U32 = 0


class BoothAssign(_C2S, tag="booth_assign"):
    """Give a booth slot to the enterprise of account ``owner_user`` ("" frees the slot)."""

    booth: Ident
    owner_user: Annotated[str, Meta(max_length=C.MAX_ID_CHARS)]
    id: U32 = 0


class SignOut(_C2S, tag="sign_out"):
    """End this account's login: revoke the token this session signed in with, or
    (``everywhere``) every token of the account; the connection stays, as a guest-less
    session that must sign in again before anything else."""

    everywhere: bool = False
    id: U32 = 0


class SetLang(_C2S, tag="set_lang"):
    """Store the interface language on the account (``zh`` or ``en``), so the web and the
    other client follow it; guests keep their choice locally and never send this."""

    lang: Annotated[str, Meta(max_length=8)]
    id: U32 = 0


class Kiosk(_C2S, tag="kiosk"):
    """At the park's policy kiosk (the client's avatar stepped onto ``layout.kiosk.zone``):
    the policies matching the person's enterprise. Answered with ``ok`` (``data``: see
    docs/protocol.md)."""

    id: U32 = 0


SpaceId = Annotated[int, Meta(ge=1, le=0x7FFFFFFF)]
Epoch = Annotated[int, Meta(ge=0, le=1 << 40)]  # UTC seconds since 1970
Minutes = Annotated[int, Meta(ge=1, le=24 * 60)]


class SpaceSlots(_C2S, tag="space_slots"):
    """The avatar walked into a bookable space's zone (``Spaces`` names its ``space``):
    its next free starts today and tomorrow for the usual durations. Answered with
    ``space_slots`` (or ``error``: ``not_allowed`` with the rule's reason, e.g. a guest)."""

    space: SpaceId
    id: U32 = 0


class SpaceBook(_C2S, tag="space_book"):
    """Book one of the offered slots (``start``: UTC seconds, ``minutes`` long), with the
    same rules, quotas and approval as the web. Answered with ``space_booked``."""

    space: SpaceId
    start: Epoch
    minutes: Minutes
    id: U32 = 0


RowId = Annotated[int, Meta(ge=1, le=(1 << 53) - 1)]  # a database row's id (exact in a JavaScript number)


class SpaceCheckIn(_C2S, tag="space_check_in"):
    """Check in to your booking ``booking`` of the space whose zone the avatar stands in
    (``space_slots`` lists it in ``mine`` with ``open`` while check-in is open). Answered
    with ``space_checked_in`` (checked in, or refused with the reason)."""

    space: SpaceId
    booking: RowId
    id: U32 = 0


class React(_C2S, tag="react"):
    """A reaction to the showcase on the park's stage (``kind``: applause, cheer, heart,
    laugh, wow). Counted per second on the server and shown to everyone in every hall
    once a second (``reactions``); at most a few a second count per person."""

    kind: Annotated[str, Meta(max_length=16)]
    id: U32 = 0


class HallMove(_C2S, tag="hall_move"):
    """Move from an overflow hall to the park's main hall (a seat there is offered to you
    in ``hall.offer_until``, or free). Answered with ``joined`` (new ``you``) and ``hall``."""

    id: U32 = 0


class StageChat(_C2S, tag="stage_chat"):
    """The event's organizer or a moderator mutes (``muted``) or unmutes the audience's
    park and near chat in every hall of the park."""

    muted: bool
    id: U32 = 0


class Spotlight(_C2S, tag="spotlight"):
    """The event's organizer or a moderator puts a speaker (an account ``user`` in one of
    the park's halls) in the spotlight: named in ``stage`` and seen by everyone like a
    presenter. ``user`` "" ends the spotlight."""

    user: Annotated[str, Meta(max_length=C.MAX_ID_CHARS)]
    id: U32 = 0


class StageRemove(_C2S, tag="stage_remove"):
    """The event's organizer or a moderator removes a person (account ``user``) from the
    event: their connections in the park's halls are closed with 4008 and they may not
    come back to the park while the event is on its stage."""

    user: Ident
    reason: Short = ""
    id: U32 = 0


class Ask(_C2S, tag="ask"):
    """A question to the event on the park's stage (its Q&A board, shared by every hall).
    Answered with ``ok`` (``data``: the question's id and state: ``visible``, or
    ``pending`` while a moderator looks at it)."""

    text: Annotated[str, Meta(min_length=1, max_length=C.MAX_CHAT_CHARS)]
    id: U32 = 0


class Upvote(_C2S, tag="upvote"):
    """Upvote a question of the board (``up`` false: take the vote back)."""

    question: U32
    up: bool = True
    id: U32 = 0


class PollVote(_C2S, tag="poll_vote"):
    """A ballot in one of the event's open polls: ``choices`` the options' indexes (one
    for a single-choice poll); voting again while it is open changes the ballot."""

    poll: U32
    choices: Annotated[list[Annotated[int, Meta(ge=0, le=99)]], Meta(min_length=1, max_length=20)]
    id: U32 = 0


class Ping(_C2S, tag="ping"):
    c: float = 0.0


ClientMessage = (
    Hello | Guest | Register | Login | TokenLogin | CodeLogin | ListParks | Join | Leave | Input | Emote
    | Look | Chat | Like | Card | BoothEdit | BoothStats | BoothStaff | BoothAssign | SignOut | SetLang | Kiosk
    | SpaceSlots | SpaceBook | SpaceCheckIn | React | HallMove | StageChat | Spotlight | StageRemove | Ask | Upvote
    | PollVote | Ping
)
CLIENT_TYPES: dict[str, type[Any]] = {
    cls.__struct_config__.tag: cls
    for cls in ClientMessage.__args__
}


# --- server -> client ------------------------------------------------------------


class Limits(Struct, omit_defaults=True):
    max_frame: int
    inputs_per_s: int
    chats_per_10s: int
    messages_per_s: int
    view_radius: float
    view_max: int


class Welcome(_S2C, tag="welcome"):
    v: int
    server: str
    tick_rate: int
    patch_rate: int
    walk_speed: float
    run_speed: float
    limits: Limits


class UserInfo(Struct, omit_defaults=True):
    id: str
    name: str
    role: str
    color: int
    company: str = ""


class Session(_S2C, tag="session"):
    user: UserInfo
    resume: str
    resume_ttl: float
    perms: dict[str, bool]
    token: str = ""
    expires: float = 0.0
    resumed: bool = False
    park: str = ""
    lang: str = ""  # the account's interface language ("" = none chosen: the client uses its own locale)
    re: int = 0


class ParkInfo(Struct, omit_defaults=True):
    id: str
    name_zh: str
    name_en: str
    online: int
    scene: str
    scene_hash: str


class Parks(_S2C, tag="parks"):
    parks: list[ParkInfo]
    re: int = 0


class BoothSummary(Struct, omit_defaults=True):
    id: str
    name: str
    owner: str = ""
    likes: int = 0


class Joined(_S2C, tag="joined"):
    park: str
    you: int
    x: int
    y: int
    yaw: int
    tick: int
    scene: str
    scene_hash: str
    booths: list[BoothSummary]
    re: int = 0


class Snap(_S2C, tag="snap"):
    """A snapshot: ``e`` entities entering view, ``u`` updates, ``l`` entity ids leaving.

    ``e`` items: [eid, x_cm, y_cm, yaw_u16, anim, name, rgb]; ``u`` items:
    [eid, x_cm, y_cm, yaw_u16, anim]. ``p`` is your own avatar [x_cm, y_cm, yaw_u16]
    after applying inputs up to sequence ``a``.
    """

    k: int
    a: int
    p: tuple[int, int, int]
    e: list[Raw] = []
    u: list[Raw] = []
    l: list[int] = []  # noqa: E741


class SnapView(_S2C, tag="snap"):
    """How clients decode ``Snap`` (the server encodes ``e``/``u`` items once, pre-packed)."""

    k: int
    a: int
    p: tuple[int, int, int]
    e: list[tuple[int, int, int, int, int, str, int]] = []
    u: list[tuple[int, int, int, int, int]] = []
    l: list[int] = []  # noqa: E741


class BoothView(Struct, omit_defaults=True):
    id: str
    owner: str
    content: BoothContent
    likes: int
    staff: list[str]
    liked: bool = False


class Booth(_S2C, tag="booth"):
    booth: BoothView


class BoothExit(_S2C, tag="booth_exit"):
    booth: str


class ChatLine(_S2C, tag="chat"):
    ch: str
    text: str
    name: str
    eid: int
    ts: float
    booth: str = ""


class Notice(_S2C, tag="notice"):
    """A notification from the inbox, pushed to the account's sessions in a park.
    ``title_key``/``body_key`` + ``params`` are catalogue keys (a client renders them in
    its own language); ``title``/``body`` are the same rendered by the server in the
    account's language, for clients without those keys. ``unread``: the inbox's unread
    count after this notice."""

    id: int
    kind: str
    title_key: str
    body_key: str
    params: dict[str, Any] = {}
    title: str = ""
    body: str = ""
    link: str = ""
    created: float = 0.0
    unread: int = 0


class SpaceState(Struct, omit_defaults=True):
    """One bookable space's zone in the park's scene, now. ``id``: the layout's space id
    (the catalogue venue's id); ``space``: the bookable space's id (the booking page's).
    ``state``: ``free``, ``taken`` (a booking, or a request or waitlist offer that holds
    it, covers now) or ``retired`` (takes no bookings). Taken: ``start``-``end`` of that
    booking; free: ``next``, when the next one starts today. Times are the zone's local
    ``HH:MM``. ``by``: the booking enterprise's display name when the booker lets it be
    shown, else empty (the client says "booked")."""

    id: str
    space: int
    state: str
    start: str = ""
    end: str = ""
    next: str = ""
    by: str = ""


class Spaces(_S2C, tag="spaces"):
    """Every bookable space of the park the client is in: sent after ``joined`` and
    again, whole, whenever one of them changes (a booking made, cancelled, released on
    the web; a booking starting or ending)."""

    park: str
    items: list[SpaceState]


class FreeSlot(Struct, omit_defaults=True):
    """A free time of a space: ``start`` in UTC seconds (what ``space_book`` sends back),
    ``minutes`` long; ``day`` (``YYYY-MM-DD``), ``at`` and ``end`` (``HH:MM``) in the
    zone's local time."""

    start: int
    minutes: int
    day: str
    at: str
    end: str


class MyBooking(Struct, omit_defaults=True):
    """One of the asker's own bookings of the space, today and not yet past its check-in:
    its id, local ``day``, ``start``-``end``, ``state`` (``confirmed`` or ``checked_in``),
    ``open`` (check-in is open now: ``space_check_in`` it) and ``opens`` (local ``HH:MM``
    when check-in opens)."""

    booking: int
    day: str
    start: str
    end: str
    state: str
    opens: str
    open: bool = False


class SpaceSlotList(_S2C, tag="space_slots"):
    """The answer to ``space_slots``: the space's next free starts (today first, then
    tomorrow), at most a few per usual duration, in time order per duration. ``today``
    is the zone's local date; ``price`` as the park shows it ("" is free; settled
    offline); ``approval``: a booking waits for the park office's yes."""

    re: int
    space: int
    name: str
    today: str
    slots: list[FreeSlot]
    durations: list[int]
    capacity: int = 0
    price: str = ""
    approval: bool = False
    retired: bool = False
    mine: list[MyBooking] = []


class Problem(Struct, omit_defaults=True):
    """A rule a booking breaks: ``code`` (docs/bookings.md), the ``field``, a sentence."""

    code: str
    field: str
    message: str


class SpaceBooked(_S2C, tag="space_booked"):
    """The answer to ``space_book``. ``outcome``: ``confirmed``, ``pending`` (waits for
    the park office's approval) or ``refused`` (``problems``; a time just taken comes with
    the nearest free ``alternatives`` of the same length). Booked: the booking's id, its
    local ``day``, ``start``-``end`` and the check-in ``code`` (``ABCD-2345``)."""

    re: int
    space: int
    outcome: str
    booking: int = 0
    day: str = ""
    start: str = ""
    end: str = ""
    code: str = ""
    problems: list[Problem] = []
    alternatives: list[FreeSlot] = []


class SpaceCheckedIn(_S2C, tag="space_checked_in"):
    """The answer to ``space_check_in``. ``outcome``: ``checked_in`` (the booking's local
    ``day``, ``start``-``end``) or ``refused`` (``problems``: ``too_early``, ``too_late``,
    ``state`` for a booking already checked in or no longer held). Not standing in the
    space's zone, a booking of another space, or someone else's: ``error`` instead."""

    re: int
    space: int
    booking: int
    outcome: str
    day: str = ""
    start: str = ""
    end: str = ""
    problems: list[Problem] = []


class Hall(_S2C, tag="hall"):
    """Which of the park's halls you are in: sent after every ``joined`` and again when a
    seat in the main hall is offered to you. ``hall`` 1 is the main hall; 2, 3, ... are
    overflow halls (same scene, booths and stage, their own crowd), ``halls`` how many
    are open, ``capacity`` the visitors one hall holds. ``name_zh``/``name_en``: the
    hall's name ("798艺术区 2号厅", "798 Art Zone - hall 2"; the park's name for the main
    hall). ``offer_until`` (Unix seconds, 0: none): a main-hall seat is held for you
    until then: send ``hall_move``."""

    park: str
    hall: int
    halls: int
    capacity: int
    name_zh: str
    name_en: str
    offer_until: float = 0.0
    re: int = 0


class Presenter(Struct, omit_defaults=True):
    user: str
    name: str


class StageView(_S2C, tag="stage"):
    """The park's stage now, for every hall: the ``event`` on it (0: none), its ``title``
    in your language, ``state`` (``scheduled``, ``live``, ``interrupted``, ``ended``,
    ``none``), ``hls`` (the stream's playlist: absolute, or a path on the web app),
    ``starts``/``ends`` (Unix seconds), ``presenters``, the speaker in the ``spotlight``
    (account id, ``spotlight_name`` shown) and whether the audience's chat is ``muted``.
    Sent after ``joined`` and again, whole, whenever it changes."""

    park: str
    stage: str = "main"
    event: int = 0
    title: str = ""
    state: str = "none"
    hls: str = ""
    starts: int = 0
    ends: int = 0
    presenters: list[Presenter] = []
    spotlight: str = ""
    spotlight_name: str = ""
    muted: bool = False


class Reactions(_S2C, tag="reactions"):
    """The reactions of one second (``second``: its start, Unix seconds) to ``event``,
    summed over every hall of the park: kind -> count. At most one a second; none for a
    second without reactions."""

    park: str
    event: int
    second: int
    counts: dict[str, int]


class QuestionItem(Struct, omit_defaults=True):
    id: int
    name: str  # who asked
    text: str
    state: str  # visible | answered (| pending: your own, waiting for a moderator); always sent (a nested
    votes: int = 0  # record's defaults must be singletons: tests/world/test_codec.py)


class Questions(_S2C, tag="questions"):
    """The Q&A board of the event on the park's stage, as the audience sees it: sorted by
    votes, then age. Sent after ``stage`` when an event is on and again, whole, when it
    changes (at most a few times a second). ``voted``/``mine`` (the questions you upvoted /
    asked) come only in the copy sent to you on arrival; afterwards keep them from your
    own requests' answers."""

    event: int
    items: list[QuestionItem]
    voted: list[int] = []
    mine: list[int] = []


class PollItem(Struct, omit_defaults=True):
    id: int
    question: str
    options: list[str]
    kind: str  # single | multiple (these four always sent: a nested record's defaults must be
    results: str  # live | hidden (counts only once closed)              singletons, test_codec)
    state: str  # open | closed
    max_choices: int
    counts: list[int] | None = None  # per option; absent while hidden
    ballots: int = 0  # people who voted (with the counts)
    chosen: list[int] | None = None  # your ballot (only in the copy sent to you on arrival)


class Polls(_S2C, tag="polls"):
    """The event's polls (open and closed, oldest first), sent like ``questions``."""

    event: int
    items: list[PollItem]


class Ok(_S2C, tag="ok"):
    re: int
    data: Any = None


class Error(_S2C, tag="error"):
    code: str
    msg: str
    re: int = 0


class Bye(_S2C, tag="bye"):
    code: int
    reason: str


class Pong(_S2C, tag="pong"):
    c: float
    s: float


ServerMessage = (
    Welcome | Session | Parks | Joined | SnapView | Booth | BoothExit | ChatLine | Notice | Spaces | SpaceSlotList
    | SpaceBooked | SpaceCheckedIn | Hall | StageView | Reactions | Questions | Polls | Ok | Error | Bye | Pong
)


def to_builtins(msg: Struct) -> Any:
    """A message as plain dicts/lists (for logs, JSON test vectors and docs)."""
    return msgspec.to_builtins(msg)
