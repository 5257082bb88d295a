"""Each sample mail in samples/ parses to exactly the JSON beside it.

After a deliberate change to the parser, rewrite the expectations with
`UPDATE_GOLDEN=1 pytest tests/channels/email/test_golden.py` and review the diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from channels.email.parser import parse_email
from tests.channels.email.golden import as_golden

SAMPLES = Path(__file__).parent / "samples"
MAILBOX = "support@acme.test"


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.eml")), ids=lambda path: path.stem)
def test_sample_parses_to_its_expected_json(sample: Path):
    message = parse_email(sample.read_bytes(), source="support", own_addresses=[MAILBOX])
    actual = json.loads(json.dumps(as_golden(message)))  # tuples become lists, as in the file
    expected_path = sample.with_suffix(".json")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"no expectation for {sample.name}: run with UPDATE_GOLDEN=1 and review"
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))


def test_every_expectation_has_its_sample():
    orphans = [path.name for path in SAMPLES.glob("*.json") if not path.with_suffix(".eml").exists()]
    assert orphans == []
