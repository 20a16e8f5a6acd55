"""The testers' command-line client against a running local stack: send messages, tap buttons, read the outbox."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid

from devstack.stack import DEFAULTS, STATE_FILE


class StackNotRunning(RuntimeError):
    pass


def stack_info() -> dict:
    """Where the stack is: the state file `up` wrote, overridden by environment variables."""
    info = {}
    if STATE_FILE.exists():
        info = json.loads(STATE_FILE.read_text())
    host = os.environ.get("DEVSTACK_HOST", DEFAULTS["DEVSTACK_HOST"])
    for key, port_env in (
        ("app_url", "DEVSTACK_APP_PORT"),
        ("graph_url", "DEVSTACK_GRAPH_PORT"),
        ("aws_url", "DEVSTACK_AWS_PORT"),
    ):
        if os.environ.get(port_env) or key not in info:  # the environment wins over the state file
            info[key] = f"http://{host}:{os.environ.get(port_env) or DEFAULTS[port_env]}"
    if os.environ.get("DEVSTACK_AWS_ENDPOINT"):
        info["aws_url"] = os.environ["DEVSTACK_AWS_ENDPOINT"]
    for key, env in (
        ("whatsapp_app_secret", "WHATSAPP_APP_SECRET"),
        ("owner_api_key", "OWNER_API_KEY"),
        ("resource_prefix", "RESOURCE_PREFIX"),
        ("phone_number_id", "WHATSAPP_PHONE_NUMBER_ID"),
        ("owner_phone", "OWNER_PHONE"),
    ):
        info[key] = os.environ.get(env) or info.get(key) or DEFAULTS[env]
    return info


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 10):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        raise StackNotRunning(f"cannot reach {url}: {exc}") from exc


def follow_refresh(url: str, status: int, page: str, timeout: float = 30.0) -> tuple[int, str]:
    """Reload a page that refreshes itself (the approval page while the worker applies a decision) until it stops
    asking to, as a browser would, only sooner. Returns the last (status, page)."""
    import re
    from urllib.parse import urljoin

    deadline = time.monotonic() + timeout
    while status == 200 and time.monotonic() < deadline:
        refresh = re.search(r'http-equiv="refresh" content="\d+;url=([^"]+)"', page)
        if refresh is None:
            break
        time.sleep(0.2)
        url = urljoin(url, refresh.group(1))
        status, body = http("GET", url)
        page = body.decode()
    return status, page


def text_webhook(phone: str, text: str, wamid: str, name: str = "Test Customer", phone_number_id: str = "") -> dict:
    return _envelope(
        phone,
        name,
        phone_number_id,
        {"from": phone, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}},
    )


def tap_webhook(phone: str, button_id: str, wamid: str, title: str = "", phone_number_id: str = "") -> dict:
    return _envelope(
        phone,
        "Test Customer",
        phone_number_id,
        {
            "from": phone,
            "id": wamid,
            "timestamp": str(int(time.time())),
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": title or button_id}},
        },
    )


def _envelope(phone: str, name: str, phone_number_id: str, message: dict) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
                            "contacts": [{"profile": {"name": name}, "wa_id": phone}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


def new_wamid() -> str:
    return "wamid.LOCAL" + uuid.uuid4().hex.upper()


class Client:
    def __init__(self, info: dict | None = None):
        from devstack.targets import require_local

        self.info = info or stack_info()
        require_local(app=self.info["app_url"], graph=self.info["graph_url"], aws=self.info["aws_url"])

    def check_running(self) -> None:
        status, _ = http("GET", self.info["app_url"] + "/health", timeout=3)
        if status != 200:
            raise StackNotRunning(f"the app at {self.info['app_url']} answered {status} on /health")

    def post_webhook(self, payload: dict | bytes, signature: str | None = "auto") -> tuple[int, bytes]:
        from chalicelib.domain.signature import sign

        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self._tell_graph_who_wrote(raw)
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            signature = sign(raw, self.info["whatsapp_app_secret"])
        if signature:
            headers["X-Hub-Signature-256"] = signature
        return http("POST", self.info["app_url"] + "/webhook", raw, headers)

    def _tell_graph_who_wrote(self, raw: bytes) -> None:
        """Meta knows every message it relays, so it knows whose 24-hour window is open: tell the fake Graph API."""
        try:
            body = json.loads(raw)
            senders = {
                m.get("from_user_id") or m.get("from")
                for entry in body.get("entry", [])
                for change in entry.get("changes", [])
                for m in (change.get("value") or {}).get("messages", [])
            }
        except (ValueError, AttributeError, TypeError):
            return
        for sender in senders - {None, ""}:
            if isinstance(sender, str) and len(sender) <= 160:
                http("POST", self.info["graph_url"] + "/_fake/inbound", json.dumps({"from": sender}).encode())
                if sender != (phone := _phone_of(body, sender)) and phone:
                    http("POST", self.info["graph_url"] + "/_fake/inbound", json.dumps({"from": phone}).encode())

    def refuse_sends(self, to: str, code: int, times: int = 1, asynchronous: bool = False, message: str = "") -> None:
        """Make the fake Graph refuse the next ``times`` sends to ``to`` with Meta's error ``code`` (at once, or
        accepted first and refused by a later ``failed`` status webhook, as Meta often does)."""
        spec = {"to": to, "code": code, "times": times, "async": asynchronous, "message": message or f"error {code}"}
        status, body = http("POST", self.info["graph_url"] + "/_fake/faults", json.dumps(spec).encode())
        if status != 201:
            raise StackNotRunning(f"the fake Graph API refused the fault ({status}): {body[:200]!r}")

    def messages(self, to: str | None = None, since: int = 0) -> list[dict]:
        query = f"?since={since}" + (f"&to={to}" if to else "")
        status, body = http("GET", self.info["graph_url"] + "/_fake/messages" + query)
        if status != 200:
            raise StackNotRunning(f"the fake Graph API answered {status}")
        data = json.loads(body)
        return data["messages"] if isinstance(data, dict) else data

    def last_seq(self) -> int:
        messages = self.messages()
        return max((m["seq"] for m in messages), default=0)

    def handled(self, wamid: str) -> bool:
        """Whether the worker finished with an inbound message: its 'handled#' key exists and its replies went out."""
        import boto3

        ddb = boto3.client(
            "dynamodb",
            endpoint_url=self.info["aws_url"],
            region_name=os.environ.get("AWS_DEFAULT_REGION", "ap-south-1"),
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        )
        item = ddb.get_item(
            TableName=f"{self.info['resource_prefix']}-idempotency",
            Key={"key": {"S": f"handled#{wamid}"}},
            ConsistentRead=True,
        ).get("Item")
        # "done" turns true once the replies of the message went out (see DynamoConversationStore.mark_delivered).
        return bool(item and item.get("done", {}).get("BOOL"))

    def converse(self, phone: str, payload: dict, wamid: str, timeout: float = 30) -> list[dict]:
        """Post one webhook and wait until the worker handled it; return what was sent to ``phone`` since."""
        self.check_running()
        since = self.last_seq()
        status, body = self.post_webhook(payload)
        if status != 200:
            raise RuntimeError(f"the webhook answered {status}: {body.decode(errors='replace')}")
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.handled(wamid):  # marked only after every reply was accepted (and so recorded) by the fake
                return self.messages(to=phone, since=since)
            time.sleep(0.1)
        raise TimeoutError(f"nothing answered {wamid} within {timeout:.0f} s (is the worker running?)")

    def send(self, phone: str, text: str, timeout: float = 30) -> list[dict]:
        wamid = new_wamid()
        return self.converse(
            phone, text_webhook(phone, text, wamid, phone_number_id=self.info["phone_number_id"]), wamid, timeout
        )

    def tap(self, phone: str, button_id: str, timeout: float = 30) -> list[dict]:
        wamid = new_wamid()
        return self.converse(
            phone, tap_webhook(phone, button_id, wamid, phone_number_id=self.info["phone_number_id"]), wamid, timeout
        )


def _phone_of(body: dict, sender: str) -> str | None:
    """The phone beside a BSUID sender, when the webhook gives one."""
    for entry in body.get("entry", []):
        for change in entry.get("changes", []):
            for message in (change.get("value") or {}).get("messages", []):
                if message.get("from_user_id") == sender and message.get("from"):
                    return message["from"]
    return None
