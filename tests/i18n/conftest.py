"""A signed-in staff member who reads the console in a given language."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db


@pytest.fixture
def reader(groups, make_user, login):
    """reader(language, role="agent") -> a signed-in Support staff member reading the console in `language`."""

    def sign_in(language: str, role: str = "agent"):
        user = make_user(role=role, name="Eva Agente", groups=("Support",))
        user.language = language
        db.session.commit()
        login(user)
        return user

    return sign_in
