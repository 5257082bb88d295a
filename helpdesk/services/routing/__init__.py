"""Routing: availability, capacity, skills and automatic assignment (strategies are pure; the
engine in assign.py decides under row locks; offers.py handles live conversations offered one
agent at a time; settings.py is what admins change)."""
