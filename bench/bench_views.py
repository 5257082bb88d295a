"""Latency of the saved views' navigation: 20 views with their live counts, for the agent with the
heaviest lists (agent01, two groups) and for a supervisor (every group).

    python -m bench.bench_views --database-url sqlite:///bench/results/bench.sqlite3
    python -m bench.bench_views --database-url postgresql://postgres@127.0.0.1:5432/bench

Measures `saved_views.counts_for` (service), `GET /views/nav` in-process and over HTTP (`helpdesk
web`), and `GET /api/v1/views` (which also counts). The 20 views (mine, unassigned, open, pending,
solved, everything, by priority, channel, group, tag, assignee; 5 of them shared by the supervisor)
are (re)created by this script under names starting with "bench:".
"""

from __future__ import annotations

import argparse

from sqlalchemy import delete, select

from bench import common
from bench.http_harness import Server, login_client, login_http

VIEWS = [
    ("mine", {"view": "mine"}, False), ("unassigned", {"view": "unassigned"}, False),
    ("open", {"view": "open"}, False), ("pending", {"view": "pending"}, False),
    ("solved", {"view": "solved"}, False), ("everything", {"view": "all"}, False),
    ("urgent", {"view": "open", "priorities": ["urgent"]}, False),
    ("high+urgent", {"view": "open", "priorities": ["high", "urgent"]}, False),
    ("e-mail", {"view": "open", "channel": "email"}, False), ("telegram", {"view": "open", "channel": "telegram"}, False),
    ("whatsapp", {"view": "open", "channel": "whatsapp"}, False), ("new", {"view": "open", "statuses": ["new"]}, False),
    ("on hold", {"view": "open", "statuses": ["on_hold"]}, False),
    ("unassigned urgent", {"view": "unassigned", "priorities": ["urgent"]}, False),
    ("solved e-mail", {"view": "solved", "channel": "email"}, False),
    ("team: open", {"view": "open"}, True), ("team: unassigned", {"view": "unassigned"}, True),
    ("team: urgent", {"view": "open", "priorities": ["urgent"]}, True),
    ("team: tagged", {"view": "open", "tag": "TAG"}, True), ("team: web", {"view": "open", "channel": "web"}, True),
]


def create_views(app) -> tuple[int, int]:
    """Replace the "bench:" views with the 20 above; (agent id, supervisor id)."""
    from helpdesk.extensions import db
    from helpdesk.models import SavedView, TicketTag, User
    from helpdesk.services import saved_views

    with app.app_context():
        agent = db.session.scalar(select(User).where(User.email == common.AGENT_EMAIL))
        supervisor = db.session.scalar(select(User).where(User.email == common.SUPERVISOR_EMAIL))
        if agent is None:
            raise SystemExit("no bench staff in this database: seed it with `python -m bench.seed` first")
        db.session.execute(delete(SavedView).where(SavedView.name.like("bench:%")))
        db.session.commit()
        tag = db.session.scalar(select(TicketTag.name).limit(1)) or "billing"
        for name, filters, shared in VIEWS:
            if "tag" in filters:
                filters = filters | {"tag": tag}
            saved_views.create_view(supervisor if shared else agent, name=f"bench: {name}", filters=filters,
                                    shared=shared)
        ids = (agent.id, supervisor.id)
        assert len(saved_views.visible_views(agent)) >= 20
        db.session.remove()
    return ids


def run_service(app, user_id: int, runs: int) -> dict:
    from helpdesk.extensions import db
    from helpdesk.models import User
    from helpdesk.services import saved_views

    with app.app_context():
        user = db.session.get(User, user_id)

        def call(_i: int) -> None:
            saved_views.counts_for(user, saved_views.visible_views(user))
            db.session.rollback()  # as a request ends: nothing cached between calls

        result = common.time_calls(call, runs)
        db.session.remove()
    return result


def _checked(get, path: str):
    def call(_i: int) -> None:
        status = get(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return call


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=200, help="timed requests per measurement")
    parser.add_argument("--port", type=int, help="port for `helpdesk web` (default: a free one)")
    args = parser.parse_args(argv)
    app = common.make_app(args.database_url)
    agent_id, supervisor_id = create_views(app)
    results: dict = {"service": {"agent": run_service(app, agent_id, args.runs),
                                 "supervisor": run_service(app, supervisor_id, args.runs)}}
    client = app.test_client()
    login_client(client, common.AGENT_EMAIL)
    results["inprocess"] = {"nav": common.time_calls(_checked(lambda p: client.get(p).status_code, "/views/nav"),
                                                     args.runs)}
    with Server(args.database_url, args.port) as server:
        session = login_http(server.base, common.AGENT_EMAIL)
        get = lambda p: session.get(server.base + p, timeout=60).status_code  # noqa: E731
        results["http"] = {"nav": common.time_calls(_checked(get, "/views/nav"), args.runs),
                           "list_with_nav": common.time_calls(_checked(get, "/tickets?view=open"), args.runs)}
    print(f"{'mode':<12}{'measurement':<16}{'p50':>9}{'p95':>9}{'p99':>9}{'n':>6}")
    for mode, section in results.items():
        for name, s in section.items():
            print(f"{mode:<12}{name:<16}{s['p50']:>9}{s['p95']:>9}{s['p99']:>9}{s['n']:>6}")
    path = common.save(f"views-{common.label(args.database_url)}",
                       {"url": args.database_url, "runs": args.runs, "results": results,
                        "machine": common.machine(args.database_url)})
    print(f"-> {path}")


if __name__ == "__main__":
    main()
