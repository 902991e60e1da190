"""The reference target's long-term memory, so cross-session poisoning can be tested.

Users ask the assistant to remember things ("remember this for all future conversations:
..."). The vulnerable mode keeps one memory per application (keyed by its system prompt) that
every user's later conversations read and obey; the hardened mode keeps each user's memory
apart (keyed by application and the OpenAI `user` field) and only ever recalls it as facts,
never as instructions. Sizes are bounded so a probe run cannot grow the process without limit.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict

MAX_SCOPES = 2000
MAX_ITEMS = 20
MAX_ITEM_CHARS = 1000
REMEMBER = re.compile(
    r"\b(?:remember|memori[sz]e|keep in mind|note for (?:everyone|all users|the future))\b", re.I
)
_WORD = re.compile(r"[a-z]{5,}")


class Memory:
    """Thread-safe bounded store: scope -> remembered user messages, oldest scopes evicted."""

    def __init__(self, *, per_user: bool) -> None:
        self.per_user = per_user
        self._items: OrderedDict[str, list[str]] = OrderedDict()
        self._lock = threading.Lock()

    def _scope(self, system: str, caller: str) -> str:
        key = system + ("\x00" + caller if self.per_user else "")
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def exchange(self, system: str, caller: str, user: str) -> tuple[str, ...]:
        """Store `user` if it asks to be remembered; return what was stored before it."""
        scope = self._scope(system, caller)
        with self._lock:
            before = tuple(self._items.get(scope, ()))
            if REMEMBER.search(user):
                items = self._items.setdefault(scope, [])
                items.append(user[:MAX_ITEM_CHARS])
                del items[:-MAX_ITEMS]
                self._items.move_to_end(scope)
                while len(self._items) > MAX_SCOPES:
                    self._items.popitem(last=False)
            return before


def recall(memories: tuple[str, ...], question: str) -> str | None:
    """The remembered message sharing the most longer words with the question, if any; a
    message that itself asks to be remembered is a note, not a question."""
    if REMEMBER.search(question):
        return None
    asked = set(_WORD.findall(question.lower()))
    best = max(memories, key=lambda m: len(asked & set(_WORD.findall(m.lower()))), default=None)
    if best is None or len(asked & set(_WORD.findall(best.lower()))) < 2:
        return None
    return best
