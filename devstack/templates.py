"""`python -m devstack templates sync`: create or update every template of chalicelib/templates through the WhatsApp
Business Management API (``POST /{waba_id}/message_templates``, one request per language) and print each status.

Against the local stack it talks to the fake Graph API (which approves at once and posts the status webhook); with
``--graph https://graph.facebook.com --waba-id … --token …`` it talks to Meta (a DOCUMENT header's example needs an
upload handle from Meta's Resumable Upload API: ``--document-handle``).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request


def sync(
    graph_base: str,
    api_version: str,
    waba_id: str,
    token: str,
    public_base_url: str,
    document_handle: str = "local-sample-document-handle",
    registry=None,
) -> list[dict]:
    """Create or update every template in every language; returns one row per (template, language) with Meta's
    answer. With ``registry`` (the app's template registry), the statuses are recorded there too."""
    from chalicelib.templates import load_templates

    rows = []
    url = f"{graph_base.rstrip('/')}/{api_version}/{waba_id}/message_templates"
    substitutions = {"PUBLIC_BASE_URL": public_base_url.rstrip("/"), "DOCUMENT_HANDLE": document_handle}
    for spec in load_templates().values():
        for language in spec.languages:
            body = json.dumps(spec.create_request(language, substitutions), ensure_ascii=False).encode()
            request = urllib.request.Request(url, data=body, method="POST")
            request.add_header("Authorization", f"Bearer {token}")
            request.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(request, timeout=15) as response:
                    answer = json.loads(response.read())
                row = {"name": spec.name, "language": language, "status": answer.get("status"), "id": answer.get("id")}
            except urllib.error.HTTPError as exc:
                error = json.loads(exc.read() or b"{}").get("error", {})
                row = {"name": spec.name, "language": language, "status": "ERROR", "error": error.get("message")}
            if registry is not None and row["status"] not in (None, "ERROR"):
                registry.record(spec.name, language, status=row["status"], category=spec.category)
            rows.append(row)
    return rows


def cmd_templates(args) -> int:
    import os

    from devstack.client import stack_info
    from devstack.stack import env_value

    info = stack_info()
    rows = sync(
        args.graph or info["graph_url"],
        os.environ.get("WHATSAPP_API_VERSION", "v21.0"),
        args.waba_id or os.environ.get("WHATSAPP_WABA_ID", "102290129340398"),
        args.token or env_value("WHATSAPP_TOKEN"),
        args.public_base_url or info["app_url"],
        args.document_handle,
    )
    for row in rows:
        extra = f"  {row['error']}" if row.get("error") else ""
        print(f"{row['name']:<22} {row['language']:<3} {row['status']}{extra}")
    return 0 if all(r["status"] != "ERROR" for r in rows) else 1
