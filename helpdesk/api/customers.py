"""Customer endpoints: search, profile, create, edit, merge.

A customer merged into another answers 404 on every endpoint, with `merged_into_id` naming the
record that survived, so an integrator can re-point its reference. A customer the caller may not
see (see services/customer_access) answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail, service_errors
from helpdesk.api.schemas import (
    CustomerChangesSchema,
    CustomerPageSchema,
    CustomerProfileSchema,
    CustomerQuerySchema,
    Expanded,
    MergeSchema,
    NewCustomerSchema,
)
from helpdesk.models import Customer
from helpdesk.services import customer_access, customers
from helpdesk.services.customers import CustomerNotFound

blp = ProtectedBlueprint("api-customers", __name__, url_prefix="/api/v1/customers", description=(
    "Customers and their identities. A merged customer answers 404 with `merged_into_id`."))


def _customer(customer_id: int) -> Customer:
    """The customer if the caller may see it, or 404 (with `merged_into_id` when it was merged into
    a record the caller may see)."""
    try:
        return customer_access.get_for(current_staff(), customer_id)
    except CustomerNotFound as exc:
        if exc.merged_into_id is None:
            abort(404, message=f"no customer {customer_id}")
        abort(404, message=f"customer {customer_id} was merged into customer {exc.merged_into_id}",
              merged_into_id=exc.merged_into_id)


def _profile(customer: Customer) -> Expanded:
    """The customer with the ids of the tickets of theirs the caller may see."""
    return Expanded(customer, {"ticket_ids": customers.visible_ticket_ids(current_staff(), customer.id)})


@blp.route("")
class CustomerList(MethodView):
    """The collection: search and create customers."""

    @blp.arguments(CustomerQuerySchema, location="query")
    @blp.response(200, CustomerPageSchema)
    def get(self, args: dict):
        """Search customers

        By name or any identity address, newest first; follow `next_cursor` until it is null.
        Merged-away customers and customers the caller may not see are not listed.
        """
        with service_errors("query"):
            return customer_access.search(current_staff(), args.get("q"), cursor=args.get("cursor"),
                                          limit=args["limit"])

    @blp.arguments(NewCustomerSchema)
    @blp.response(201, CustomerProfileSchema)
    @blp.alt_response(409, response="CONFLICT", description="An identity belongs to another customer.")
    def post(self, data: dict):
        """Create a customer"""
        identities = [(item["kind"], item["address"]) for item in data.pop("identities")]
        custom = data.pop("custom_fields", None)
        with service_errors():
            customer = customers.create_customer(identities=identities, created_by_id=current_staff().id, **data)
            if custom:
                customers.update_customer(customer, custom_fields=custom)
            return _profile(customer)


@blp.route("/<int:customer_id>")
class CustomerItem(MethodView):
    """One customer: read and change the profile."""

    @blp.response(200, CustomerProfileSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, customer_id: int):
        """Read a customer's profile"""
        return _profile(_customer(customer_id))

    @blp.arguments(CustomerChangesSchema)
    @blp.response(200, CustomerProfileSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, changes: dict, customer_id: int):
        """Change a customer's profile

        `org_manager` (who sees the organization's tickets in the customer portal) only by an admin.
        """
        customer = _customer(customer_id)
        if "org_manager" in changes and current_staff().role != "admin":
            abort(403, message="only an admin may change org_manager")
        with service_errors():
            customers.update_customer(customer, **changes)
        return _profile(customer)


@blp.route("/<int:customer_id>/merge", methods=["POST"])
@blp.arguments(MergeSchema)
@blp.response(200, CustomerProfileSchema)
@blp.alt_response(404, response="NOT_FOUND")
def merge(data: dict, customer_id: int):
    """Merge this customer into another

    Identities and tickets move to the target, which is returned; an audit entry records the merge.
    A target the caller may not see is refused like one that does not exist.
    """
    source = _customer(customer_id)
    try:
        target = customer_access.get_for(current_staff(), data["target_id"])
    except CustomerNotFound as exc:
        where = f"; it was merged into {exc.merged_into_id}" if exc.merged_into_id else ""
        fail(422, "json", "target_id", f"no customer {data['target_id']}{where}")
    with service_errors(rename={"target": "target_id"}):
        return _profile(customers.merge(source, target, actor_id=current_staff().id))
