"""Paper assembly: draw a worker's paper from the eligible questions, reproducibly from a seed.

One random source per paper, ``random.Random(seed)``: the seed is stored with the attempt, and the same
seed over the same candidates gives the same questions and the same option orders. Candidates are
sorted by question id first, so the order a database returns them in does not matter.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from quizapp.exam.blueprint import Blueprint

SHUFFLED_TYPES = ("single", "multiple")


@dataclass(frozen=True)
class Candidate:
    """A question that may be drawn: its current version and what the blueprint selects on."""

    question_id: int
    version_id: int
    type: str
    topics: tuple[str, ...]
    difficulty: int
    option_count: int = 0


@dataclass(frozen=True)
class PaperItem:
    question_id: int
    version_id: int
    type: str
    option_order: tuple[int, ...]  # the bank's option indexes in the order shown; empty when not shuffled


@dataclass(frozen=True)
class Paper:
    seed: int
    items: tuple[PaperItem, ...]


class ShortageError(Exception):
    """The pool cannot fill the blueprint; ``missing`` says by how many items of which type."""

    def __init__(self, missing: dict[str, int]):
        self.missing = missing
        super().__init__(", ".join(f"{kind}: {count} short" for kind, count in missing.items()))


def _spread_over_topics(pool: list[Candidate], rng: random.Random) -> list[Candidate]:
    """The pool in drawing order: one question per topic in turn, so a paper covers many topics."""
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in pool:
        groups[candidate.topics[0] if candidate.topics else ""].append(candidate)
    order = sorted(groups)
    rng.shuffle(order)
    for topic in order:
        rng.shuffle(groups[topic])
    ordered: list[Candidate] = []
    while any(groups[topic] for topic in order):
        ordered += [groups[topic].pop() for topic in order if groups[topic]]
    return ordered


def assemble(candidates: Iterable[Candidate], blueprint: Blueprint, seed: int,
             answered: Iterable[int] = (), recently_used: Iterable[int] = (), allow_short: bool = False) -> Paper:
    """Draw a paper for ``blueprint`` from ``candidates``.

    Questions in ``answered`` (this worker's last year) are never drawn; questions in ``recently_used``
    (this enterprise's last inspections) only when nothing fresher is left. When the pool is too small,
    ``ShortageError`` says by how many of each type, unless ``allow_short`` accepts a shorter paper.
    """
    rng = random.Random(seed)
    excluded, stale = set(answered), set(recently_used)
    low, high = blueprint.difficulty
    pools: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in sorted(candidates, key=lambda c: c.question_id):
        if candidate.question_id not in excluded and low <= candidate.difficulty <= high:
            pools[candidate.type].append(candidate)
    missing = {kind: count - len(pools[kind]) for kind, count in blueprint.items.items()
               if len(pools[kind]) < count}
    if missing and not allow_short:
        raise ShortageError(missing)
    items: list[PaperItem] = []
    for kind, count in blueprint.items.items():
        pool = pools[kind]
        fresh = _spread_over_topics([c for c in pool if c.question_id not in stale], rng)
        used = _spread_over_topics([c for c in pool if c.question_id in stale], rng)
        for candidate in (fresh + used)[:count]:
            order = tuple(rng.sample(range(candidate.option_count), candidate.option_count)) \
                if kind in SHUFFLED_TYPES else ()
            items.append(PaperItem(candidate.question_id, candidate.version_id, kind, order))
    return Paper(seed, tuple(items))

