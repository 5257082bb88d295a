"""Topic discovery: quality against known topics, refit time at scale, and what it costs ingestion.

    quality  fit on a generated corpus (bench/topic_corpus.py: 10 topics x en/es/zh) and compare the
             found topics with the true ones: normalized mutual information (sklearn.metrics), against
             the topic alone and against topic x language.
    refit    load N corpus tickets into a fresh database (subject + first customer message), run
             services.topics.refit.refit() as `helpdesk topics refit` does and time its stages; the
             NMI of the stored assignments; then ingest tickets through services.ingest.ingest with
             the model and time the topic assignment inside it, and ingest with it switched off.

    .venv/bin/python -m bench.bench_topics quality --tickets 6000 --topics 30
    .venv/bin/python -m bench.bench_topics refit --database-url sqlite:///bench/results/topics.sqlite3 --tickets 200000
    .venv/bin/python -m bench.bench_topics ingest --database-url sqlite:///bench/results/topics.sqlite3 --tickets 1000
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid
from datetime import datetime, timedelta

from bench import common
from bench.topic_corpus import LANGUAGES, tickets

MIXES = {"even": None, "skewed": (0.6, 0.25, 0.15)}  # en, es, zh shares


def _corpus(n: int, mix: str, seed: int = 21) -> list[tuple[str, str, str, str]]:
    rows = tickets(n * 3 if MIXES[mix] else n, seed=seed)
    if not MIXES[mix]:
        return rows
    wanted = {lang: round(share * n) for lang, share in zip(LANGUAGES, MIXES[mix], strict=True)}
    out = []
    for row in rows:
        if wanted[row[3]] > 0:
            wanted[row[3]] -= 1
            out.append(row)
    return out


def _nmi(truth, found) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return round(float(normalized_mutual_info_score(truth, found)), 3)


def quality(n: int, n_topics: int, mix: str, seed: int = 21) -> dict:
    """Fit on n corpus tickets; NMI of the fit's and of the fast predict's topics (a topic found
    in several languages and joined counts as one)."""
    from helpdesk.services.topics import model, text

    rows = _corpus(n, mix, seed=seed)
    started = time.perf_counter()
    documents = [text.document(s, b) for s, b, _, _ in rows]
    languages = [text.language(s, b) for s, b, _, _ in rows]
    words_s = time.perf_counter() - started
    started = time.perf_counter()
    fitted, groups, found_rows = model.fit(documents, n_topics, languages=languages)
    fit_s = time.perf_counter() - started
    found = [groups[r] if r >= 0 else -1 for r in found_rows]
    predicted = [(lambda r: groups[r] if r is not None else -1)(fitted.predict(d.split())[0]) for d in documents]
    return {"tickets": len(rows), "seed": seed, "topics_asked": n_topics, "mix": mix, "topics_found": len(set(groups)),
            "rows": fitted.size, "words_s": round(words_s, 2),
            "fit_s": round(fit_s, 2), "nmi_topic": _nmi([r[2] for r in rows], found),
            "nmi_topic_language": _nmi([r[2] + r[3] for r in rows], found),
            "nmi_topic_predict": _nmi([r[2] for r in rows], predicted)}


def _load(app, rows, now: datetime) -> list[int]:
    """Tickets and their first customer message, written straight to the tables (like bench.seed)."""
    from sqlalchemy import insert, select, text

    from helpdesk.extensions import db
    from helpdesk.models import Customer, Message, Ticket

    with app.app_context():
        customer = Customer(name="Bench customer")
        db.session.add(customer)
        db.session.commit()
        first = (db.session.scalar(select(Ticket.id).order_by(Ticket.id.desc()).limit(1)) or 0) + 1
        for start in range(0, len(rows), 10_000):
            chunk = rows[start:start + 10_000]
            at = [now - timedelta(minutes=3 * (len(rows) - start - i)) for i in range(len(chunk))]
            db.session.execute(insert(Ticket), [
                {"id": first + start + i, "subject": s, "status": "open", "priority": 1, "channel": "email",
                 "source": "bench", "customer_id": customer.id, "created_at": at[i], "updated_at": at[i]}
                for i, (s, _b, _t, _l) in enumerate(chunk)])
            db.session.execute(insert(Message), [
                {"ticket_id": first + start + i, "kind": "inbound", "channel": "email", "body_text": b,
                 "is_automated": False, "created_at": at[i], "delivery_attempts": 0}
                for i, (_s, b, _t, _l) in enumerate(chunk)])
            db.session.commit()
        if db.engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
            for table in ("tickets", "messages"):
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
            db.session.commit()
        return list(range(first, first + len(rows)))


def _ingest(app, rows, with_topics: bool, skip: int = 20) -> dict:
    """Ingest `rows` through the real ingest service; per message ms, the prediction's ms and the
    ms of the statement that stores the message (and, with topics, the topic's row with it); the
    first `skip` left out: the model's first load and jieba's dictionary."""
    from channels.base import InboundMessage, Sender
    from helpdesk.services import ingest_rows
    from helpdesk.services.ingest import ingest
    from helpdesk.services.topics import assign

    real_predict, real_insert = assign.new_ticket_row, ingest_rows.insert_message
    spent: list[float] = []
    inserts: list[float] = []

    def predict(*args):
        started = time.perf_counter()
        try:
            return real_predict(*args) if with_topics else None
        finally:
            spent.append((time.perf_counter() - started) * 1000)

    def insert_message(*args):
        started = time.perf_counter()
        try:
            return real_insert(*args)
        finally:
            inserts.append((time.perf_counter() - started) * 1000)

    assign.new_ticket_row, ingest_rows.insert_message = predict, insert_message
    total: list[float] = []
    try:
        with app.app_context():
            for n, (subject, body, _t, _l) in enumerate(rows):
                message = InboundMessage(channel="web", source="web", external_id=uuid.uuid4().hex,
                                         sender=Sender(kind="email", address=f"c{n % 500}@bench.example"),
                                         subject=subject, body_text=body)
                started = time.perf_counter()
                ingest(message)
                total.append((time.perf_counter() - started) * 1000)
    finally:
        assign.new_ticket_row, ingest_rows.insert_message = real_predict, real_insert
    return {"ingest": total[skip:], "assign": spent[skip:], "insert": inserts[skip:]}


def _step(on: dict, off: dict) -> dict:
    """The topic step inside ingest: the prediction, plus what the message's INSERT costs more
    when it carries the topic's row (medians)."""
    predict, insert_on, insert_off = (common.summarise(x)["p50"] for x in (on["assign"], on["insert"], off["insert"]))
    return {"predict_p50": predict, "insert_message_p50_with": insert_on, "insert_message_p50_without": insert_off,
            "step_p50": round(predict + insert_on - insert_off, 2)}


def refit_bench(url: str, n: int, n_topics: int, ingest_n: int) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from bench.seed import prepare_database
    from helpdesk.extensions import db
    from helpdesk.models import TicketTopic
    from helpdesk.services.topics import refit

    prepare_database(url, reset=True)
    app = common.make_app(url)
    with app.app_context():
        upgrade()
    rows = _corpus(n + ingest_n, "even", seed=7)
    loaded, rest = rows[:n], rows[n:]
    started = time.perf_counter()
    ids = _load(app, loaded, datetime.utcnow().replace(microsecond=0))
    load_s = time.perf_counter() - started
    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(stage: str, done: int, total: int) -> None:
        if done >= total:
            now = time.perf_counter()
            stages[stage] = round(stages.get(stage, 0) + now - last[0], 2)
            last[0] = now

    with app.app_context():
        settings = refit.settings()
        settings.topics, settings.window_days, settings.max_tickets = n_topics, 3650, n
        db.session.commit()
        started = time.perf_counter()
        last[0] = started
        result = refit.refit(progress)
        refit_s = time.perf_counter() - started
        found = dict(db.session.execute(select(TicketTopic.ticket_id, TicketTopic.topic_id)).all())
    truth = {ticket_id: row for ticket_id, row in zip(ids, loaded, strict=True)}
    keys = [i for i in ids if i in found]
    out = {"backend": common.backend(url), "tickets": n, "topics_asked": n_topics, "load_s": round(load_s, 1),
           "refit_s": round(refit_s, 1), "stages_s": stages, "topics": result.topics, "assigned": len(keys),
           "nmi_topic": _nmi([truth[i][2] for i in keys], [found[i] for i in keys]),
           "nmi_topic_language": _nmi([truth[i][2] + truth[i][3] for i in keys], [found[i] for i in keys])}
    half = len(rest) // 2
    timed = {on: _ingest(app, part, on) for part, on in ((rest[:half], True), (rest[half:], False))}
    for name, on in (("ingest_with_topics", True), ("ingest_without_topics", False)):
        out[name] = {"ingest_ms": common.summarise(timed[on]["ingest"]), "assign_ms": common.summarise(timed[on]["assign"])}
    out["topic_step_ms"] = _step(timed[True], timed[False])
    return out


def ingest_bench(url: str, n: int) -> dict:
    """On a database `refit` filled: ingest n corpus tickets, interleaving runs of 100 with the topic
    step on and off, and time the step inside ingest."""
    from flask_migrate import upgrade

    app = common.make_app(url)
    with app.app_context():
        upgrade()  # the code under test may have migrations the database has not
    rows = _corpus(n, "even", seed=11)
    runs = {on: {"ingest": [], "assign": [], "insert": []} for on in (True, False)}
    for start in range(0, n, 100):
        on = (start // 100) % 2 == 0
        result = _ingest(app, rows[start:start + 100], on, skip=0 if start else 20)
        for key in result:
            runs[on][key] += result[key]
    return {"backend": common.backend(url), "tickets": n,
            "with_topics": {"ingest_ms": common.summarise(runs[True]["ingest"]),
                            "assign_ms": common.summarise(runs[True]["assign"])},
            "without_topics": {"ingest_ms": common.summarise(runs[False]["ingest"])},
            "topic_step_ms": _step(runs[True], runs[False])}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--tickets", type=int, default=6000)
    q.add_argument("--topics", type=int, default=30)
    q.add_argument("--mix", choices=list(MIXES), default="even")
    q.add_argument("--seed", type=int, default=21)
    r = sub.add_parser("refit")
    r.add_argument("--database-url", required=True)
    r.add_argument("--tickets", type=int, default=200_000)
    r.add_argument("--topics", type=int, default=30)
    r.add_argument("--ingest", type=int, default=1000)
    i = sub.add_parser("ingest")
    i.add_argument("--database-url", required=True)
    i.add_argument("--tickets", type=int, default=1000)
    args = parser.parse_args(argv)
    load = os.getloadavg()
    if args.command == "quality":
        result = quality(args.tickets, args.topics, args.mix, args.seed)
    elif args.command == "ingest":
        result = ingest_bench(args.database_url, args.tickets)
    else:
        result = refit_bench(args.database_url, args.tickets, args.topics, args.ingest)
    result["load_before"] = [round(x, 2) for x in load]
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
