"""Knowledge-base benchmark: N articles in English, Spanish and Chinese (one translation each per
language), then the index rebuild time, search latency as people type, and ticket suggestions.

    .venv/bin/python -m bench.bench_kb --database-url sqlite:///bench/results/kb.sqlite3
    .venv/bin/python -m bench.bench_kb --database-url postgresql://postgres@127.0.0.1:5432/kb_bench

The database is created afresh (the PostgreSQL database is dropped and re-created). Results go to
bench/results/kb-<label>.json.
"""

from __future__ import annotations

import argparse
import html
import random
import time

from sqlalchemy import insert, text

from bench import common
from bench.kb_corpus import LANGUAGES, article, queries, sentence

BATCH = 2000


def fresh_database(url: str) -> None:
    """An empty database at `url`, migrated to the newest schema."""
    common.fresh_database(url)
    from flask_migrate import upgrade

    app = common.make_app(url)
    with app.app_context():
        upgrade()


def _html(markdown: str) -> str:
    # The seed writes the HTML the renderer would make for these plain paragraphs (render() is slow x150k).
    return "".join(f"<p>{html.escape(p)}</p>\n" for p in markdown.split("\n\n"))


def seed(n_articles: int, rng: random.Random) -> dict:
    """Bulk-insert categories, published articles and their translations (not indexed yet)."""
    from helpdesk.extensions import db
    from knowledge_base.models import KbArticle, KbCategory, KbTranslation

    started = time.perf_counter()
    db.session.execute(insert(KbCategory), [{"id": i, "parent_id": (i - 1) // 4 or None if i > 5 else None,
                                              "slug": f"category-{i}", "names": {"en": f"Category {i}"},
                                              "descriptions": {}, "position": i} for i in range(1, 31)])
    for start in range(1, n_articles + 1, BATCH):
        ids = range(start, min(start + BATCH, n_articles + 1))
        db.session.execute(insert(KbArticle), [
            {"id": i, "category_id": rng.randint(1, 30), "status": "published",
             "visibility": "internal" if i % 10 == 0 else "public", "tags": [], "default_language": "en"}
            for i in ids])
        rows = []
        for i in ids:
            for language in LANGUAGES:
                title, summary, body = article(rng, language)
                rows.append({"article_id": i, "language": language, "title": title, "slug": f"a{i}-{language}",
                             "summary": summary, "body_md": body, "body_html": _html(body)})
        db.session.execute(insert(KbTranslation), rows)
        db.session.commit()
    return {"articles": n_articles, "translations": n_articles * len(LANGUAGES),
            "seconds": round(time.perf_counter() - started, 1)}


def tickets(count: int, rng: random.Random) -> list[int]:
    """Tickets through the real ingestion path, each a customer's question in one of the languages."""
    from channels.base import InboundMessage, Sender
    from helpdesk.services.ingest import ingest

    ids = []
    for i in range(count):
        language = LANGUAGES[i % 3]
        message = InboundMessage(channel="web", source="web", external_id=f"kb-bench-{i}",
                                 sender=Sender(kind="email", address=f"customer{i}@bench.example"),
                                 subject=sentence(rng, language, 5), body_text=sentence(rng, language, 30))
        ids.append(ingest(message).ticket_id)
    return ids


def run(url: str, n_articles: int, n_queries: int, n_tickets: int, reuse: bool = False) -> dict:
    from helpdesk.extensions import db
    from helpdesk.models import Ticket
    from knowledge_base import articles, indexing, search, suggestions
    from knowledge_base.models import KbArticle

    rng = random.Random(6)
    if not reuse:
        fresh_database(url)
    app = common.make_app(url)
    with app.app_context():
        result: dict = {"database": common.backend(url), "machine": common.machine(url), "seed": None,
                        "index_rebuild": None}
        if not reuse:
            result["seed"] = seed(n_articles, rng)
            started = time.perf_counter()
            documents = indexing.rebuild()
            result["index_rebuild"] = {"documents": documents, "seconds": round(time.perf_counter() - started, 1)}
        if common.backend(url) == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        asked = queries(rng, n_queries)
        found = []

        def one_search(i: int) -> None:
            query, language = asked[i % len(asked)]
            found.append(len(search.search(query, language=language).hits))

        result["search"] = common.time_calls(one_search, runs=n_queries)
        result["search"]["with_results_pct"] = round(100 * sum(1 for n in found if n) / len(found), 1)
        ticket_ids = tickets(n_tickets, rng)
        db.session.commit()
        result["suggestions"] = common.time_calls(
            lambda i: suggestions.for_ticket(db.session.get(Ticket, ticket_ids[i % len(ticket_ids)])), runs=n_tickets)
        ids = [rng.randint(1, n_articles) for _ in range(50)]

        def republish(i: int) -> None:  # an edit that keeps the index current, in the same transaction
            article = db.session.get(KbArticle, ids[i % len(ids)])
            articles.set_status(article, "published")

        result["reindex_one_article"] = common.time_calls(republish, runs=50)
        result["queries_sample"] = asked[:12]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:///bench/results/kb.sqlite3")
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--tickets", type=int, default=150)
    parser.add_argument("--reuse", action="store_true", help="search the database a previous run filled")
    args = parser.parse_args()
    result = run(args.database_url, args.articles, args.queries, args.tickets, args.reuse)
    path = common.save(f"kb-{common.label(args.database_url)}{'-reuse' if args.reuse else ''}", result)
    for key in ("seed", "index_rebuild", "search", "suggestions", "reindex_one_article"):
        print(f"{key:>20}: {result[key]}")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
