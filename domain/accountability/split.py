"""The draft split of a fault by role in the decision chain, proposed from sign-off records.

The rule implemented (a local rule after the principle that handling officer 办案人, reviewer 审核人
and approver 审批人 each bear the fault of their own part, and that an approver who overrode a
correct opinion bears it):

1. The deciding round is the latest round of the review's sign-off chain with an approved step;
   only its records count (earlier rounds were returned and the file corrected).
2. Each holder of an approving step of that round gets the chain role of the step's
   responsibility: HANDLER → HANDLING_OFFICER, REVIEWER → REVIEWER, APPROVER → APPROVER.
3. Override: a step that approved after an earlier step of the same round had returned
   overrode that opinion. If the deciding round has such steps, their holders bear the whole fault
   (100, split equally among them) and every other subject gets 0.
4. Otherwise the fault is shared by chain role with the weights in `WEIGHTS` (HANDLING_OFFICER 40,
   REVIEWER 30, APPROVER 20, APPRAISER 10), re-scaled over the roles present, each role's weight
   split equally among its persons; whole percentages by largest remainder (ties to the earlier
   person), so that the shares always add up to 100.
5. Subjects: the persons the user named, each with the chain role they were given, else that of
   their approving step if they held one, else a default by their role in the matter
   (`DEFAULT_CHAIN_ROLE`). If nobody was named, the holders of the approving steps are proposed.
   An overriding approver is always among the subjects (rule 3 puts the fault on them).

A review's own chain closes a round at a return (later steps are NOT_REACHED), so rule 3 applies
only to records where a later step signed after a return. The split is a draft:
`changeAccountabilityShares` changes it with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.accountability.status import ChainRole, SubjectRole
from domain.review.aggregate import SignoffStep
from domain.review.status import Responsibility, StepDecision

WEIGHTS: dict[ChainRole, int] = {
    ChainRole.HANDLING_OFFICER: 40,
    ChainRole.REVIEWER: 30,
    ChainRole.APPROVER: 20,
    ChainRole.APPRAISER: 10,
}
FROM_RESPONSIBILITY: dict[Responsibility, ChainRole] = {
    Responsibility.HANDLER: ChainRole.HANDLING_OFFICER,
    Responsibility.REVIEWER: ChainRole.REVIEWER,
    Responsibility.APPROVER: ChainRole.APPROVER,
}
# An on-duty station leader (值班所领导) approves the station's handling; the others handle.
DEFAULT_CHAIN_ROLE: dict[SubjectRole, ChainRole] = {
    SubjectRole.ON_DUTY_LEADER: ChainRole.APPROVER,
    SubjectRole.LEAD_OFFICER: ChainRole.HANDLING_OFFICER,
    SubjectRole.AUXILIARY: ChainRole.HANDLING_OFFICER,
    SubjectRole.OTHER: ChainRole.HANDLING_OFFICER,
}
WHOLE = 100


@dataclass(frozen=True, slots=True)
class NamedPerson:
    """A person the user names as a subject, before the split."""

    officer: str
    role: SubjectRole
    chain_role: ChainRole | None = None


@dataclass(frozen=True, slots=True)
class DraftShare:
    officer: str
    role: SubjectRole
    chain_role: ChainRole
    share: int
    from_chain: bool  # held an approving step of the deciding round
    overrode: bool = False


def deciding_round(steps: Sequence[SignoffStep]) -> int | None:
    """The latest round with an approved step, or None if nothing was approved."""
    rounds = [s.round for s in steps if s.decision is StepDecision.APPROVED]
    return max(rounds) if rounds else None


def approving_steps(steps: Sequence[SignoffStep]) -> list[SignoffStep]:
    """The approved steps of the deciding round, in step order."""
    round_no = deciding_round(steps)
    return sorted(
        (s for s in steps if s.round == round_no and s.decision is StepDecision.APPROVED),
        key=lambda s: s.step_no,
    )


def overriding_holders(steps: Sequence[SignoffStep]) -> list[str]:
    """Holders who approved after an earlier step of the deciding round returned."""
    round_no = deciding_round(steps)
    returned = False
    found: list[str] = []
    for step in sorted((s for s in steps if s.round == round_no), key=lambda s: s.step_no):
        if step.decision is StepDecision.RETURNED:
            returned = True
        elif step.decision is StepDecision.APPROVED and returned and step.holder not in found:
            found.append(step.holder)
    return found


def apportion(weights: Sequence[float]) -> list[int]:
    """Whole percentages proportional to `weights`, adding up to 100 (largest remainder)."""
    total = sum(weights)
    if total <= 0:
        return [0] * len(weights)
    exact = [w * WHOLE / total for w in weights]
    shares = [int(x) for x in exact]
    left = WHOLE - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def draft_split(named: Sequence[NamedPerson], steps: Sequence[SignoffStep]) -> list[DraftShare]:
    """The proposed persons and their shares (see the module docstring for the rule)."""
    approving = approving_steps(steps)
    chain: dict[str, ChainRole] = {}
    for step in approving:
        chain.setdefault(step.holder, FROM_RESPONSIBILITY[step.responsibility])
    overriders = overriding_holders(steps)

    persons: list[tuple[str, SubjectRole, ChainRole, bool]] = []
    if named:
        for person in named:
            role = person.chain_role or chain.get(person.officer) or DEFAULT_CHAIN_ROLE[person.role]
            persons.append((person.officer, person.role, role, person.officer in chain))
    else:
        persons = [(holder, SubjectRole.OTHER, role, True) for holder, role in chain.items()]
    present = {p[0] for p in persons}
    persons += [(h, SubjectRole.OTHER, chain[h], True) for h in overriders if h not in present]

    if overriders:
        weights = [1.0 if p[0] in overriders else 0.0 for p in persons]
    else:
        per_role: dict[ChainRole, int] = {}
        for _, _, role, _ in persons:
            per_role[role] = per_role.get(role, 0) + 1
        weights = [WEIGHTS[role] / per_role[role] for _, _, role, _ in persons]
    shares = apportion(weights)
    return [
        DraftShare(
            officer=officer,
            role=role,
            chain_role=chain_role,
            share=share,
            from_chain=from_chain,
            overrode=officer in overriders,
        )
        for (officer, role, chain_role, from_chain), share in zip(persons, shares, strict=True)
    ]
