"""Staff accounts beyond sign-in: the users admin (role, groups, switching off), passwords and
their e-mailed links, API tokens, signed-in sessions."""
