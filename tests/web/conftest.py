"""Fixtures for the console tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def agent(groups, make_user, login):
    """Ana, an agent of the Support group, signed in on the test client."""
    user = make_user(groups=("Support",), name="Ana Agent")
    login(user)
    return user
