"""A generated bank of any size, for benchmarks: the mini bank's taxonomy and questions of every type."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

TAXONOMY = Path(__file__).resolve().parents[1] / "data" / "mini_bank" / "taxonomy.yaml"
PER_FILE = 1000


def _question(number: int, rng: random.Random) -> dict:
    kind = ("single", "multiple", "judge", "fill", "oral", "practical")[number % 6]
    base = {
        "id": f"GEN-{number:06d}", "type": kind,
        "stem": f"第{number}题：关于安全生产教育和培训，下列说法正确的是（  ）。",
        "explanation": "未经安全生产教育和培训合格的从业人员，不得上岗作业。",
        "basis": [{"source": "work-safety-law", "article": str(rng.randint(1, 119))}],
        "roles": rng.sample(["worker", "principal", "safety-manager"], 2),
        "industries": ["general"] if number % 3 else ["general", "metallurgy"],
        "topics": [rng.choice(["law-responsibility", "hot-work"])],
        "difficulty": rng.randint(1, 5),
    }
    options = [f"选项{letter}的内容{number}" for letter in "ABCD"]
    if kind == "single":
        base.update(options=options, answer=rng.choice("ABCD"))
    elif kind == "multiple":
        base.update(options=options, answer=sorted(rng.sample("ABCD", 2)))
    elif kind == "judge":
        base.update(answer=bool(number % 2))
    elif kind == "fill":
        base.update(stem=f"第{number}题：特种作业操作证有效期为___年。", answer=[["6", "六"]])
    elif kind == "oral":
        base.update(key_points=[{"point": "说出主要危险", "weight": 2}, {"point": "说出防范措施", "weight": 1}])
    else:
        base.update(steps=[{"text": "个人防护用品佩戴完好，确认完毕", "critical": True},
                           {"text": "汇报完毕，请领导指示", "critical": False}])
    return base


def generate_bank(folder: Path, count: int, seed: int = 7) -> Path:
    """Write a bank folder with ``count`` valid questions in files of 1,000; return the folder."""
    rng = random.Random(seed)
    (folder / "questions").mkdir(parents=True, exist_ok=True)
    shutil.copy(TAXONOMY, folder / "taxonomy.yaml")
    for start in range(0, count, PER_FILE):
        questions = [_question(n, rng) for n in range(start, min(start + PER_FILE, count))]
        with open(folder / "questions" / f"gen-{start // PER_FILE:03d}.yaml", "w", encoding="utf-8") as stream:
            yaml.safe_dump({"questions": questions}, stream, allow_unicode=True, sort_keys=False)
    return folder
