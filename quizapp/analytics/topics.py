"""Which topics a set of results went wrong on: for exam records and, later, an enterprise's weak areas."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.models import Attempt, Topic
from quizapp.models.question import version_topics


def missed_topics(session: Session, attempts: Iterable[Attempt]) -> list[tuple[str, int, int]]:
    """(topic name, items missed, items asked) for final attempts, most missed first.

    An item counts under every topic its version is tagged with; an item not fully right is missed.
    """
    asked: Counter[int] = Counter()
    missed: Counter[int] = Counter()
    for attempt in attempts:
        for item, fraction in zip(attempt.items, attempt.item_scores or [], strict=False):
            asked[item["version_id"]] += 1
            missed[item["version_id"]] += fraction < 1.0
    if not asked:
        return []
    totals: dict[str, list[int]] = {}
    rows = session.execute(select(version_topics.c.version_id, Topic.name, Topic.position)
                           .join(Topic, Topic.id == version_topics.c.topic_id)
                           .where(version_topics.c.version_id.in_(list(asked))))
    for version_id, name, position in rows:
        total = totals.setdefault(name, [0, 0, position])
        total[0] += missed[version_id]
        total[1] += asked[version_id]
    ranked = sorted(totals.items(), key=lambda entry: (-entry[1][0], entry[1][2]))
    return [(name, count_missed, count_asked) for name, (count_missed, count_asked, _) in ranked if count_missed]
