"""`GET /api/v1/search?q=...`: the console's ticket search for integrations.

The same search as the console's header and list (`helpdesk.services.search.tickets`): words and
field filters in `q`, best match first, with highlighted snippets; agents find only their groups'
tickets, exactly as the ticket list shows them.
"""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import service_errors
from helpdesk.api.schemas import TicketSchema, page_cursor, page_limit
from helpdesk.services.search.tickets import search

blp = ProtectedBlueprint("api-search", __name__, url_prefix="/api/v1/search",
                         description="Ticket search: words and field filters, ranked, with snippets.")


class SearchQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"description": (
        "Words to find in a ticket's subject, messages, number, tags and customer's name, e-mail or phone "
        "(case and accents ignored, typos corrected), and filters: `status:open priority:high group:Billing "
        "assignee:me channel:email tag:refund customer:lopez created>2026-11-01` (also `created<`, `>=`, `<=`, "
        "`created:` a day; quote a value with spaces).")})
    cursor = page_cursor()
    limit = page_limit()


class SearchHitSchema(Schema):
    ticket = fields.Nested(TicketSchema)
    score = fields.Float()
    subject_html = fields.String(metadata={"description": "The subject as escaped HTML, matches in <mark>."})
    snippet = fields.String(metadata={"description": "Where the words matched, as escaped HTML, matches in <mark>."})


class SearchPageSchema(Schema):
    items = fields.List(fields.Nested(SearchHitSchema), attribute="hits")
    next_cursor = fields.String(allow_none=True, metadata={"description": "Pass as `cursor`; null on the last page."})
    corrected = fields.String(allow_none=True, metadata={"description": "The words searched after typo correction."})
    mode = fields.String(metadata={"description": "`all` words matched, `any` word, or `filters` only."})


@blp.route("")
class TicketSearch(MethodView):
    @blp.arguments(SearchQuerySchema, location="query")
    @blp.response(200, SearchPageSchema)
    def get(self, args: dict):
        """Search tickets

        Ranked, cursor-paginated: follow `next_cursor` until it is null. An unknown group or
        assignee, a bad date or a forged cursor answers 422 naming `q` or `cursor`.
        """
        with service_errors("query"):
            return search(current_staff(), args["q"], cursor=args.get("cursor"), limit=args["limit"])
