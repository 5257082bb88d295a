"""Golden files: a sample input beside the JSON its parser must produce, rewritten on request.

After a deliberate change to a parser, run its tests with UPDATE_GOLDEN=1 and review the diff of
the expectation files like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def assert_golden(actual: object, expected_path: Path) -> None:
    """`actual` (made JSON-like) equals the expectation stored at `expected_path`."""
    actual = json.loads(json.dumps(actual, ensure_ascii=False))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"no {expected_path.name}: run with UPDATE_GOLDEN=1 and review"
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))


def orphans(samples: Path, sample_suffix: str, expected_suffix: str = ".expected.json") -> list[str]:
    """Expectation files in `samples` whose sample (same stem, `sample_suffix`) is gone."""
    return [p.name for p in samples.glob(f"*{expected_suffix}")
            if not p.with_name(p.name.replace(expected_suffix, sample_suffix)).exists()]
