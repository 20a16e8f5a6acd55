"""The owner's approval page, opened from a signed WhatsApp link. GET only shows; only the POST of the form decides,
so link previews and prefetchers never approve anything.

The decision is applied by the approvals worker, not in this request: the POST answers at once that it is being
applied, and that page reloads itself (GET of the same link) until the order is decided, or for
APPLYING_PATIENCE_SECONDS at most. Nothing here sleeps or polls."""

from __future__ import annotations

import time
from html import escape
from urllib.parse import parse_qs

from chalice import Blueprint

from chalicelib.domain.order import OrderState
from chalicelib.web.pages import notice, order_card, page

approval_pages = Blueprint(__name__)

LINK_PROBLEMS = {
    "tampered": ("This link is not valid", "The link was changed or is incomplete. Nothing was changed.", 400),
    "expired": ("This link has expired", "Approval links work for a limited time. Nothing was changed.", 410),
    "wrong-action": ("Wrong link", "This link is for a different action. Nothing was changed.", 400),
    "used": ("Link already used", "This link has been used already. Nothing was changed this time.", 409),
    "invalid": ("This link is not valid", "Nothing was changed.", 400),
}
STATE_TEXT = {
    OrderState.ORDER_COMPLETED: "approved",
    OrderState.ORDER_REJECTED: "rejected",
    OrderState.WAITING_OWNER_CONFIRMATION: "waiting for your decision",
    OrderState.COLLECTING_ITEMS: "still being put together by the customer",
    OrderState.CUSTOMER_NEGOTIATION: "still being agreed with the customer",
    OrderState.FINAL_CUSTOMER_CONFIRMATION: "waiting for the customer's confirmation",
}
APPLYING_PATIENCE_SECONDS = 30  # a link used longer ago than this and still waiting: stop reloading
REFRESH_SECONDS = 1
WAITING = OrderState.WAITING_OWNER_CONFIRMATION
DONE = {"approve": OrderState.ORDER_COMPLETED, "reject": OrderState.ORDER_REJECTED}


def _outcome_title(state: str) -> str:
    return {DONE["approve"]: "Order approved", DONE["reject"]: "Order rejected"}.get(state, "Order decided")


def _applying(token: str, since: int):
    return notice(
        "Decision received",
        "Your decision is being applied. This page refreshes.",
        "info",
        # relative: the same /o/{token} under whatever prefix served this page
        refresh=f"{REFRESH_SECONDS};url={token}?since={since}",
    )


def _problem(exc):
    title, message, status = LINK_PROBLEMS.get(exc.kind, LINK_PROBLEMS["invalid"])
    return notice(title, message, "bad", status)


def _decided(view: dict):
    state = view["state"]
    invoice = (view.get("invoice") or {}).get("number")
    text = f"Order {view['order_id']} is {STATE_TEXT.get(state, state.replace('_', ' ').lower())}."
    if invoice:
        text += f" Invoice {invoice} goes to the customer on WhatsApp."
    reason = (view.get("decision") or {}).get("reason")
    if reason:
        text += f" Reason given: {reason}"
    return text


@approval_pages.route("/o/{token}", methods=["GET"])
def show(token):
    from chalicelib.bootstrap import container
    from chalicelib.domain.errors import NotFound
    from chalicelib.domain.links import LinkError

    c = container()
    try:
        claims, used = c.links.open_link(token)
        view = c.order_views.view(claims.order_id)
    except LinkError as exc:
        return _problem(exc)
    except NotFound:
        return notice("Order not found", "This order does not exist any more.", "bad", 404)
    if used and view["state"] == WAITING:
        since = _since(approval_pages.current_request)
        if since is not None and time.time() - since < APPLYING_PATIENCE_SECONDS:
            return _applying(token, since)
    if used or view["state"] != WAITING:
        kind = "ok" if view["state"] == OrderState.ORDER_COMPLETED else "info"
        body = f'<div class="card {kind}"><p>{escape(_decided(view))}</p></div>' + order_card(view)
        return page(_outcome_title(view["state"]) if view["state"] != WAITING else "Link used", body)
    if claims.action == "approve":
        form = (
            '<input type="hidden" name="action" value="approve">'
            '<button class="approve" type="submit">Approve order</button>'
        )
    else:
        form = (
            '<input type="hidden" name="action" value="reject">'
            '<label for="reason">Reason for the customer (optional)</label>'
            '<textarea id="reason" name="reason" maxlength="300"></textarea>'
            '<button class="reject" type="submit">Reject order</button>'
        )
    # No action: the form posts to the page's own URL, so it works under API Gateway's /api stage and at a custom
    # domain's root alike.
    body = order_card(view) + f'<form method="post">{form}</form>'
    return page("Approve this order?" if claims.action == "approve" else "Reject this order?", body)


@approval_pages.route("/o/{token}", methods=["POST"], content_types=["application/x-www-form-urlencoded"])
def decide(token):
    from chalicelib.bootstrap import container
    from chalicelib.domain.errors import NotFound
    from chalicelib.domain.links import LinkError

    request = approval_pages.current_request
    form = parse_qs((request.raw_body or b"").decode("utf-8", "replace"))
    reason = (form.get("reason") or [""])[0]
    c = container()
    try:
        claims, _ = c.links.open_link(token)
        # The form names the action it was built for; a form for the other action does not get to use this link.
        action = (form.get("action") or [claims.action])[0]
        before = c.order_views.state(claims.order_id)
        c.links.use_link(token, action, reason)
    except LinkError as exc:
        return _problem(exc)
    except NotFound:
        return notice("Order not found", "This order does not exist any more.", "bad", 404)
    if before == WAITING:
        return _applying(token, int(time.time()))  # the approvals worker applies it; the page reloads to show it
    view = c.order_views.view(claims.order_id)
    card = order_card(view)
    if view["state"] != DONE[claims.action]:
        # Nothing to decide (the customer is still negotiating, or the other decision was taken): say so now
        # rather than leave the owner waiting for a change that will not come.
        verb = "approved" if claims.action == "approve" else "rejected"
        text = f"{_decided(view)} It could not be {verb}. Nothing was changed."
        return page(f"Order not {verb}", f'<div class="card bad"><p>{escape(text)}</p></div>{card}', 409)
    kind = "ok" if view["state"] == OrderState.ORDER_COMPLETED else "info"
    return page(_outcome_title(view["state"]), f'<div class="card {kind}"><p>{escape(_decided(view))}</p></div>{card}')


def _since(request) -> int | None:
    """When the link was used, as the reloading page carries it (``?since=<epoch seconds>``)."""
    value = (request.query_params or {}).get("since", "")
    return int(value) if value.isdigit() else None
