"""Which customers a staff member may read and change: the ticket rule, carried over to customers.

Supervisors and admins see every customer. An agent sees a customer who has a ticket in one of
the agent's groups, who phoned one of those groups (or the agent), or whom that agent created by
hand and who has no ticket yet. Any other
customer is answered exactly like one that does not exist (CustomerNotFound, a 404), so an agent
can neither read nor change, merge or merge into a customer of a group they are not in.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select

from helpdesk.extensions import db
from helpdesk.models import Call, Customer, Ticket, User
from helpdesk.services import customers
from helpdesk.services.customers import CustomerNotFound, CustomerPage, DuplicateSuggestion


def visible_clause(user: User) -> ColumnElement[bool] | None:
    """A condition on Customer that holds for the customers `user` may see; None: every customer."""
    if user.sees_all_groups:
        return None
    in_my_groups = exists().where(Ticket.customer_id == Customer.id, Ticket.group_id.in_(user.group_ids or [-1]))
    has_a_ticket = exists().where(Ticket.customer_id == Customer.id)
    called_me = exists().where(Call.customer_id == Customer.id,  # the agent must see who is on the line
                               or_(Call.group_id.in_(user.group_ids or [-1]), Call.agent_id == user.id))
    return or_(in_my_groups, called_me, and_(Customer.created_by_id == user.id, ~has_a_ticket))


def can_see(user: User, customer: Customer) -> bool:
    """True when `user` may read and change `customer`."""
    clause = visible_clause(user)
    if clause is None:
        return True
    return db.session.scalar(select(Customer.id).where(Customer.id == customer.id, clause)) is not None


def get_for(user: User, customer_id: int) -> Customer:
    """The active customer `customer_id` if `user` may see it. Else CustomerNotFound, naming
    `merged_into_id` only when the record was merged into a customer `user` may see."""
    try:
        customer = customers.get_active(customer_id)
    except CustomerNotFound as exc:
        if exc.merged_into_id is not None and not can_see(user, db.session.get(Customer, exc.merged_into_id)):
            raise CustomerNotFound(customer_id) from None
        raise
    if not can_see(user, customer):
        raise CustomerNotFound(customer_id)
    return customer


def search(user: User, q: str | None = None, *, cursor: str | None = None, limit: int = 25) -> CustomerPage:
    """customers.search limited to the customers `user` may see."""
    return customers.search(q, cursor=cursor, limit=limit, where=visible_clause(user))


def likely_duplicates(user: User, customer: Customer) -> list[DuplicateSuggestion]:
    """customers.likely_duplicates among the customers `user` may see (a suggestion is a merge offer)."""
    return [s for s in customers.likely_duplicates(customer) if can_see(user, s.customer)]
