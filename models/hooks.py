"""Where a lower layer of the domain lets an upper one act, inside the same transaction.

The domain's layers import downwards only (README, *Design*). When a change in a lower
layer needs the reaction of an upper one (a closed case freezes its outcome report), the
lower layer calls a hook declared here, and ``models/wiring.py`` connects the upper layer's
reaction to it when the database is connected. A reaction runs in the caller's transaction,
so the change and its reaction commit together or not at all. A hook that nobody wired
refuses to run: a reaction silently skipped would be a record lost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


class Hook:
    """A point of a lower layer where the reactions of upper layers run, in order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._reactions: list[Callable[..., Awaitable[Any]]] = []

    def connect(self, reaction: Callable[..., Awaitable[Any]]) -> None:
        if reaction not in self._reactions:
            self._reactions.append(reaction)

    async def __call__(self, *args: Any, **kwargs: Any) -> None:
        if not self._reactions:
            raise RuntimeError(f"the hook '{self.name}' is not wired (see models/wiring.py)")
        for reaction in self._reactions:
            await reaction(*args, **kwargs)


#: A case was just closed: ``(case_id, caller)``; its row is locked by the closing write.
case_closed = Hook("case closed")
#: The person withdrew consent to story use: ``(case_id)``.
story_consent_withdrawn = Hook("story consent withdrawn")
#: The person's data was erased (on request or after retention): ``(case_id)``.
personal_data_erased = Hook("personal data erased")
#: A report or payment of the case was written or decided: ``(case, caller)``, the case's
#: row as that write locked it.
followup_changed = Hook("follow-up changed")
#: Case records were read for a caller: ``(records)``; follow-up adds the months reported.
case_records_read = Hook("case records read")
