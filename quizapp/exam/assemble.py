"""Paper assembly: draw a worker's paper from the eligible questions, reproducibly from a seed.

One random source per paper, ``random.Random(seed)``: the seed is stored with the attempt, and the same
seed over the same candidates gives the same questions and the same option orders. Candidates are
sorted by question id first, so the order a database returns them in does not matter.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
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

    def stored(self) -> list[dict]:
        """The items as attempts and sheets keep them (JSON)."""
        return [{"question_id": item.question_id, "version_id": item.version_id, "type": item.type,
                 "option_order": list(item.option_order)} for item in self.items]


class ShortageError(Exception):
    """The pool cannot fill the blueprint; ``missing`` says by how many items of which type."""

    def __init__(self, missing: dict[str, int]):
        self.missing = missing
        super().__init__(", ".join(f"{kind}: {count} short" for kind, count in missing.items()))


def _apportion(pool: list[Candidate], count: int, rng: random.Random,
               topic_weights: Mapping[str, int]) -> list[Candidate]:
    """Up to ``count`` questions from ``pool``, spread over topics in proportion to their weights.

    Places go to topics by the D'Hondt rule: the next place goes to the topic with the highest
    weight / (places it already has + 1); ties go by a shuffled topic order. With even weights this
    is one question per topic in turn, so a paper covers as many topics as it can.
    """
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in pool:
        groups[candidate.topics[0] if candidate.topics else ""].append(candidate)
    order = sorted(groups)
    rng.shuffle(order)
    for topic in order:
        rng.shuffle(groups[topic])
    taken: Counter[str] = Counter()
    chosen: list[Candidate] = []
    while len(chosen) < count and any(groups[topic] for topic in order):
        topic = max((t for t in order if groups[t]), key=lambda t: topic_weights.get(t, 1) / (taken[t] + 1))
        taken[topic] += 1
        chosen.append(groups[topic].pop())
    return chosen


def pick(pool: list[Candidate], count: int, rng: random.Random, stale: set[int],
         topic_weights: Mapping[str, int]) -> list[PaperItem]:
    """``count`` items of one type: fresh questions first, then ones used at this enterprise lately."""
    chosen = _apportion([c for c in pool if c.question_id not in stale], count, rng, topic_weights)
    if len(chosen) < count:
        chosen += _apportion([c for c in pool if c.question_id in stale], count - len(chosen), rng, topic_weights)
    return [PaperItem(c.question_id, c.version_id, c.type,
                      tuple(rng.sample(range(c.option_count), c.option_count)) if c.type in SHUFFLED_TYPES else ())
            for c in chosen]


def assemble(candidates: Iterable[Candidate], blueprint: Blueprint, seed: int,
             answered: Iterable[int] = (), recently_used: Iterable[int] = (), allow_short: bool = False) -> Paper:
    """Draw a paper for ``blueprint`` from a whole pool of ``candidates``.

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
    check_shortage({kind: len(pools[kind]) for kind in blueprint.items}, blueprint, allow_short)
    items = [item for kind, count in blueprint.items.items()
             for item in pick(pools[kind], count, rng, stale, blueprint.topic_weights)]
    return Paper(seed, tuple(items))


def check_shortage(available: Mapping[str, int], blueprint: Blueprint, allow_short: bool) -> None:
    missing = {kind: count - available[kind] for kind, count in blueprint.items.items() if available[kind] < count}
    if missing and not allow_short:
        raise ShortageError(missing)
