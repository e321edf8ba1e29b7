"""An application for a policy's benefit (政策兑现) as a state table.

Data, not scattered ``if``s: ``STEPS`` lists every allowed move (from a state, by a
step, to a state), who may take it (the enterprise that applies or the officers who
review) and what it must carry (a note, an amount). ``advance`` is the only way from
one state to the next; anything not in the table is refused with a reason, so the
service, the pages and the docs all read the same table.

    submitted ──start_review──► under_review ──approve──► approved ──disburse──► disbursed
        ▲                        │    ▲   └────reject───► rejected
        │ (apply)                │    └─start_review── resubmitted
                      ask_more   ▼                         ▲
                              more_info ──────resubmit─────┘

The enterprise may withdraw while nothing is decided. An application is *open* until it
is rejected, withdrawn or disbursed; an enterprise has at most one open application per
policy, and it keeps the policy version it applied under.
"""

from __future__ import annotations

from dataclasses import dataclass

STATES = ("submitted", "under_review", "more_info", "resubmitted", "approved", "rejected", "disbursed",
          "withdrawn")
CLOSED = frozenset({"rejected", "disbursed", "withdrawn"})
OPEN = frozenset(STATES) - CLOSED
APPLICANT = "applicant"  # the owners and admins of the enterprise that applies (policy.apply)
REVIEWER = "reviewer"  # the officers of the issuing body (policy.review)
MAX_NOTE = 2000
MAX_AMOUNT = 10**10  # yuan: beyond any measure of the zone


@dataclass(frozen=True, slots=True)
class Step:
    source: str
    name: str
    target: str
    by: str  # APPLICANT or REVIEWER
    note: bool = False  # must say why (the enterprise reads it)
    amount: bool = False  # must name the amount approved
    files: bool = False  # may bring materials


STEPS: tuple[Step, ...] = (
    Step("", "submit", "submitted", APPLICANT, files=True),
    Step("submitted", "start_review", "under_review", REVIEWER),
    Step("resubmitted", "start_review", "under_review", REVIEWER),
    Step("under_review", "ask_more", "more_info", REVIEWER, note=True),
    Step("more_info", "resubmit", "resubmitted", APPLICANT, files=True),
    Step("under_review", "approve", "approved", REVIEWER, amount=True),
    Step("under_review", "reject", "rejected", REVIEWER, note=True),
    Step("approved", "disburse", "disbursed", REVIEWER),
    *(Step(s, "withdraw", "withdrawn", APPLICANT) for s in ("submitted", "under_review", "more_info", "resubmitted")),
)
TABLE: dict[tuple[str, str], Step] = {(s.source, s.name): s for s in STEPS}
STEP_NAMES = tuple(dict.fromkeys(s.name for s in STEPS))


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str  # the catalogue's ``apply.refused.<code>``
    reason: str  # English, naming the state and the step

    def __bool__(self) -> bool:
        return False


def steps_from(state: str, by: str) -> tuple[Step, ...]:
    """The steps ``by`` may take from ``state`` (what the page offers)."""
    return tuple(s for s in STEPS if s.source == state and s.by == by)


def advance(state: str, step: str, by: str, *, note: str = "", amount: int | None = None,
            claimed: int | None = None) -> Step | Refusal:
    """The move ``step`` taken by ``by`` from ``state``, or why it is refused.
    ``claimed``: the amount the enterprise asked for (an approval may not exceed it)."""
    if step not in STEP_NAMES:
        return Refusal("unknown_step", f"unknown step {step!r} (known: {', '.join(STEP_NAMES)})")
    move = TABLE.get((state, step))
    if move is None:
        if state in CLOSED:
            return Refusal("closed", f"the application is {state}: nothing more can be done with it")
        where = f"an application that is {state}" if state else "an application that does not exist yet"
        return Refusal("not_now", f"{step} is not a step from {where}")
    if move.by != by:
        who = "the enterprise that applied" if move.by == APPLICANT else "the officers reviewing the policy"
        return Refusal("not_yours", f"only {who} may {step.replace('_', ' ')}")
    if move.note and not note.strip():
        return Refusal("note_missing", f"{step.replace('_', ' ')} needs a note saying why")
    if len(note) > MAX_NOTE:
        return Refusal("note_long", f"the note has {len(note)} characters: at most {MAX_NOTE}")
    if move.amount:
        if amount is None:
            return Refusal("amount_missing", "approving needs the amount approved")
        if not 0 <= amount <= MAX_AMOUNT:
            return Refusal("amount_range", f"the amount approved must lie within 0..{MAX_AMOUNT} yuan")
        if claimed is not None and amount > claimed:
            return Refusal("amount_over", f"the amount approved ({amount}) exceeds the amount claimed ({claimed})")
    return move


def is_open(state: str) -> bool:
    return state in OPEN
