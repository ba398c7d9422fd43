"""``permission_matrix``: check users x actions against an expected table at once.

Every cell is decided; a failure prints the whole table with each mismatch
marked, then one line per mismatch with the policy, rule and reason::

    permission matrix for Post#1: 1 of 6 decisions differ from the expected
    action   admin   author           viewer
    show     allow   allow            allow
    update   allow   DENY (expected)  deny
    ...
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterable
from collections.abc import Mapping

from ..authorizer import Decision
from ..policy import Policy
from ._describe import describe_decider
from ._describe import describe_outcome
from ._describe import describe_record
from .assertions import decision_for

__tracebackhide__ = True

Expected = Mapping[str, "Iterable[str] | Mapping[str, bool]"]


class Cell(t.NamedTuple):
    """One decided cell of the matrix."""

    action: str
    user_label: str
    expected: bool
    decision: Decision

    @property
    def matches(self) -> bool:
        """Whether the decision is the expected one."""
        return self.decision.allowed is self.expected


def permission_matrix(
    record: t.Any,
    users: Mapping[str, t.Any],
    expected: Expected,
    *,
    policy_class: type[Policy] | None = None,
    context: Mapping[str, t.Any] | None = None,
    namespace: str | None = None,
) -> list[Cell]:
    """Fail unless each action allows exactly the expected users.

    ::

        permission_matrix(
            post,
            users={"admin": admin, "author": author, "viewer": viewer},
            expected={
                "show": {"admin", "author", "viewer"},
                "update": {"admin", "author"},
                "publish": {"admin"},
            },
        )

    :param record: The record (or class, or headless policy) to check.
    :param users: Column labels mapped to users.
    :param expected: Each action mapped to the labels of the users it allows
        (a set), or to ``{label: bool}`` for every user.
    :returns: Every cell, for further checks.
    :raises AssertionError: Some cell differs; the message shows the table.
    """
    cells: list[Cell] = []
    for action, allowed in expected.items():
        wanted = _allowed_labels(action, allowed, users)
        for label, user in users.items():
            decision = decision_for(
                user,
                record,
                action,
                policy_class=policy_class,
                context=context,
                namespace=namespace,
            )
            cells.append(Cell(action, label, label in wanted, decision))
    mismatches = [cell for cell in cells if not cell.matches]
    if mismatches:
        raise AssertionError(_report(record, list(users), list(expected), cells, mismatches))
    return cells


def _allowed_labels(
    action: str, allowed: Iterable[str] | Mapping[str, bool], users: Mapping[str, t.Any]
) -> set[str]:
    if isinstance(allowed, str):
        raise TypeError(f"expected[{action!r}] must be a set of user labels, not a string")
    if isinstance(allowed, Mapping):
        missing = set(users) - set(allowed)
        if missing:
            raise TypeError(f"expected[{action!r}] says nothing about {sorted(missing)}")
        labels = {label for label, value in allowed.items() if value}
    else:
        labels = set(allowed)
    unknown = labels - set(users)
    if unknown:
        raise TypeError(f"expected[{action!r}] names unknown users {sorted(unknown)}")
    return labels


def _report(
    record: t.Any,
    labels: list[str],
    actions: list[str],
    cells: list[Cell],
    mismatches: list[Cell],
) -> str:
    by_key = {(cell.action, cell.user_label): cell for cell in cells}
    rows = [["action", *labels]]
    for action in actions:
        row = [action]
        for label in labels:
            cell = by_key[(action, label)]
            word = "allow" if cell.decision.allowed else "deny"
            row.append(word if cell.matches else f"{word.upper()} (expected {_word(cell)})")
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(text.ljust(widths[i]) for i, text in enumerate(row)) for row in rows]
    table = "\n".join(f"  {line.rstrip()}" for line in lines)
    details = "\n".join(
        f"  {cell.action} / {cell.user_label}: expected {_word(cell)}, but"
        f" {describe_decider(cell.decision)}() {describe_outcome(cell.decision)}"
        for cell in mismatches
    )
    return (
        f"permission matrix for {describe_record(record)}: {len(mismatches)} of"
        f" {len(cells)} decisions differ from the expected\n{table}\nmismatches:\n{details}"
    )


def _word(cell: Cell) -> str:
    return "allow" if cell.expected else "deny"
