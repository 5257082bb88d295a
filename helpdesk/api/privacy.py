"""Privacy endpoints: a customer's data as one zip archive.

`POST /api/v1/customers/<id>/export` answers 200 with the archive itself (`application/zip`,
built while the request waits: a customer's data is small next to the request timeout); the same
archive as the console's button and `helpdesk customers export` (customer.json, attachments/,
mails/; `?internal=true` adds internal notes and the staff's note on the customer, for admins only). Admins and
supervisors only (403 otherwise); a
customer the caller may not see answers 404. Each export leaves an audit entry.
"""

from __future__ import annotations

import tempfile

from flask import send_file
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.customers import _customer
from helpdesk.extensions import db
from helpdesk.services import audit
from helpdesk.services.privacy import export

blp = ProtectedBlueprint("api-privacy", __name__, url_prefix="/api/v1/customers", description=(
    "A customer's data as one archive (admins and supervisors)."))


class ExportQuerySchema(Schema):
    internal = fields.Boolean(load_default=False, metadata={"description": "Also the internal notes."})


@blp.route("/<int:customer_id>/export")
class CustomerExport(MethodView):
    """One customer's data."""

    @blp.arguments(ExportQuerySchema, location="query")
    @blp.response(200, description="The archive (application/zip).")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, args: dict, customer_id: int):
        """Export a customer's data

        The zip holds `customer.json` (customer, identities, consent, tickets with messages,
        survey answers) and the files (`attachments/<message>/<id>-<name>`, `mails/<message>.eml`).
        """
        if current_staff().role not in ("admin", "supervisor"):
            abort(403, message="only admins and supervisors export customers' data")
        if args["internal"] and current_staff().role != "admin":  # as in the console
            abort(403, message="only admins export internal notes")
        customer = _customer(customer_id)
        spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)
        export.write_archive(customer, spool, include_internal=args["internal"])
        audit.record(None, "customer.export", "customer", customer.id, internal=args["internal"])
        db.session.commit()
        spool.seek(0)
        return send_file(spool, mimetype="application/zip", as_attachment=True,
                         download_name=f"customer-{customer.id}.zip")
