"""The owner's page works under API Gateway's stage prefix (`/api`), as on AWS's default URL: the link is built from
the configured public base, the form posts to its own URL, every follow-up stays under the prefix."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urljoin, urlparse

import pytest

from tests.e2e import approval_helpers as h

pytestmark = pytest.mark.e2e


class StagePrefix:
    """A stand-in for API Gateway's default URL: `/api/<path>` reaches the app at `/<path>`; anything outside the
    prefix gets API Gateway's 403 "Missing Authentication Token", so a link or form that drops the stage fails."""

    def __init__(self, app_url: str, prefix: str = "/api"):
        self.app_url, self.prefix, self.outside = app_url, prefix, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                if not self.path.startswith(outer.prefix + "/"):
                    outer.outside.append(self.path)
                    return self._answer(403, {"Content-Type": "application/json"}, b'{"message":"Missing Auth"}')
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
                request = urllib.request.Request(
                    outer.app_url + self.path[len(outer.prefix) :], data=body, method=self.command, headers=headers
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        self._answer(response.status, dict(response.headers), response.read())
                except urllib.error.HTTPError as exc:
                    self._answer(exc.code, dict(exc.headers), exc.read())

            def _answer(self, status, headers, body):
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() in ("content-type", "location", "cache-control"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_the_owner_approves_through_the_page_served_under_the_api_stage(client):
    from chalicelib.bootstrap import Container, container

    batch = h.private_batch(rolls=1, meters_per_roll="30", loose="5")
    phone = h.new_phone()
    order_id = h.confirmed_order(client, phone, batch.order_text("10"))

    with StagePrefix(client.info["app_url"]) as gateway:
        # The links the owner gets, from a stage whose PUBLIC_BASE_URL is API Gateway's default URL.
        deployed = Container(replace(container().settings, public_base_url=f"{gateway.url}/api"))
        link = deployed.links.links(order_id, datetime.now(UTC))["approve"]
        assert link.startswith(f"{gateway.url}/api/o/")

        status, page = h.open_link(link)
        assert status == 200 and "Approve this order?" in page
        form = re.search(r"<form\b[^>]*>", page).group(0)
        action = re.search(r'action="([^"]*)"', form)
        target = urljoin(link, action.group(1) if action else "")
        assert urlparse(target).path.startswith("/api/o/")

        status, result = h.press(target, action="approve")
        assert status == 200, result
        refresh = re.search(r'http-equiv="refresh" content="\d+;url=([^"]+)"', result)
        if refresh:  # the decision was still being applied: the page it reloads must stay under the stage
            status, _ = h.open_link(urljoin(target, refresh.group(1)))
            assert status == 200
        h.wait_for(lambda: h.order(order_id)["state"] == "ORDER_COMPLETED", what="the order approved")

    assert gateway.outside == []
    assert len(h.invoices(order_id)) == 1
