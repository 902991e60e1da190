"""Canary tokens planted by the test, random per run and reproducible from the seed.

A canary is an unguessable marker that can only appear in the target's output if the target
followed an injected instruction or disclosed planted data. Its alphabet (upper-case consonants
and the digits 2, 6, 8, 9) survives our obfuscation transforms and common normalisations.
Injection payloads ask for the canary *assembled from two halves*, so a target that merely
quotes the attack text does not produce it: only obeying does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ALPHABET = "BCDFGHJKLMNPQRVWXZ2689"


def make_token(rng: random.Random, length: int = 10) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class Canary:
    """One marker; `head` + `tail` == `token`."""

    token: str

    @property
    def head(self) -> str:
        return self.token[: len(self.token) // 2]

    @property
    def tail(self) -> str:
        return self.token[len(self.token) // 2 :]
