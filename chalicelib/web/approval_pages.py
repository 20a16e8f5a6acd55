"""The owner's approval page, opened from a signed WhatsApp link. GET only shows; only the POST of the form decides,
so link previews and prefetchers never approve anything."""

from __future__ import annotations

import time
from html import escape
from urllib.parse import parse_qs

from chalice import Blueprint

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
    "ORDER_COMPLETED": "approved",
    "ORDER_REJECTED": "rejected",
    "WAITING_OWNER_CONFIRMATION": "waiting for your decision",
    "COLLECTING_ITEMS": "still being put together by the customer",
    "CUSTOMER_NEGOTIATION": "still being agreed with the customer",
    "FINAL_CUSTOMER_CONFIRMATION": "waiting for the customer's confirmation",
}
WAIT_FOR_WORKER_SECONDS = 6
WAITING = "WAITING_OWNER_CONFIRMATION"
DONE = {"approve": "ORDER_COMPLETED", "reject": "ORDER_REJECTED"}


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

    approval = container().approval
    try:
        claims, used = approval.open_link(token)
        view = approval.view(claims.order_id)
    except LinkError as exc:
        return _problem(exc)
    except NotFound:
        return notice("Order not found", "This order does not exist any more.", "bad", 404)
    if used or view["state"] != "WAITING_OWNER_CONFIRMATION":
        kind = "ok" if view["state"] == "ORDER_COMPLETED" else "info"
        body = f'<div class="card {kind}"><p>{escape(_decided(view))}</p></div>' + order_card(view)
        return page("Order decided" if view["state"] != "WAITING_OWNER_CONFIRMATION" else "Link used", body)
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
    from chalicelib.domain.links import LinkError, verify_link

    request = approval_pages.current_request
    form = parse_qs((request.raw_body or b"").decode("utf-8", "replace"))
    reason = (form.get("reason") or [""])[0]
    approval = container().approval
    try:
        claims = verify_link(token, container().settings.link_signing_secret, time.time())
        # The form names the action it was built for; a form for the other action does not get to use this link.
        action = (form.get("action") or [claims.action])[0]
        before = approval.state(claims.order_id)
        approval.use_link(token, action, reason)
    except LinkError as exc:
        return _problem(exc)
    except NotFound:
        return notice("Order not found", "This order does not exist any more.", "bad", 404)
    # The decision runs on the approvals queue; wait a moment so the owner usually sees the outcome right away.
    # Only the order's state is polled (one read); the full view is built once.
    deadline = time.time() + WAIT_FOR_WORKER_SECONDS
    while before == WAITING and approval.state(claims.order_id) == WAITING and time.time() < deadline:
        time.sleep(0.25)
    view = approval.view(claims.order_id)
    if view["state"] == WAITING:
        return notice(
            "Decision received",
            "Your decision is being applied. This page refreshes.",
            "info",
            refresh=f"3;url={token}",  # relative: the same /o/{token} under whatever prefix served this page
        )
    card = order_card(view)
    if before != WAITING and view["state"] != DONE[claims.action]:
        # Nothing to decide (the customer is still negotiating, or the other decision was taken): say so now
        # rather than leave the owner waiting for a change that will not come.
        verb = "approved" if claims.action == "approve" else "rejected"
        text = f"{_decided(view)} It could not be {verb}. Nothing was changed."
        return page(f"Order not {verb}", f'<div class="card bad"><p>{escape(text)}</p></div>{card}', 409)
    kind = "ok" if view["state"] == "ORDER_COMPLETED" else "info"
    title = "Order approved" if view["state"] == "ORDER_COMPLETED" else "Order rejected"
    return page(title, f'<div class="card {kind}"><p>{escape(_decided(view))}</p></div>{card}')
