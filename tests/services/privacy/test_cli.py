"""`helpdesk customers export` and `helpdesk customers erase` on a real database."""

from __future__ import annotations

import json
import zipfile

from helpdesk.extensions import db
from helpdesk.models import Customer
from tests.services.privacy.conftest import WORDS


def test_export_writes_the_archive_and_erase_needs_yes(people, app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "ana.zip"
    result = runner.invoke(args=["customers", "export", "--id", str(people.target.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 tickets" in result.output
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("customer.json"))["customer"]["notes"] is None  # staff data: --internal
    result = runner.invoke(args=["customers", "export", "--id", str(people.target.id), "--out", str(out), "--internal"])
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("customer.json"))["customer"]["notes"] == WORDS["notes"]
    refused = runner.invoke(args=["customers", "erase", "--id", str(people.target.id)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    assert db.session.get(Customer, people.target.id).name != "Erased customer"
    done = runner.invoke(args=["customers", "erase", "--id", str(people.target.id), "--yes"])
    assert done.exit_code == 0, done.output
    assert "erased customer" in done.output
    db.session.expire_all()
    assert db.session.get(Customer, people.target.id).name == "Erased customer"
    again = runner.invoke(args=["customers", "erase", "--id", str(people.target.id), "--yes"])
    assert again.exit_code != 0 and "already erased" in again.output


def test_an_unknown_customer_is_a_clear_error(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["customers", "export", "--id", "999", "--out", str(tmp_path / "x.zip")])
    assert result.exit_code != 0 and "no customer 999" in result.output
