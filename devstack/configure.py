"""`python -m devstack configure --stage dev`: write a stage's settings to SSM Parameter Store under its path.

Values come from a local file (`--from settings.env`, lines NAME=value; or a JSON object) or, for whatever the file
does not give, from prompts: secrets are read without echo (getpass) and stored as SecureString, the rest as String.
Nothing is ever printed back but names. The functions read the same path through chalicelib/adapters/parameters.py.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from chalicelib.config import OPTIONAL, REQUIRED, SECRETS

PROMPTS = {
    "WHATSAPP_VERIFY_TOKEN": "token you will type into Meta's webhook settings",
    "WHATSAPP_APP_SECRET": "Meta app secret (signs webhook bodies)",
    "WHATSAPP_TOKEN": "Graph API access token",
    "WHATSAPP_PHONE_NUMBER_ID": "business phone number id",
    "OWNER_PHONE": "owner's WhatsApp number, e.g. 9198XXXXXXXX",
    "OWNER_API_KEY": "owner API key (Authorization: Bearer …)",
    "LINK_SIGNING_SECRET": "secret that signs approve/reject links (long and random)",
    "PUBLIC_BASE_URL": "https URL the owner's links start with (the stack's EndpointURL, e.g. https://…/api)",
    "SUPPLIER_NAME": "shop name on invoices",
    "SUPPLIER_ADDRESS": "shop address on invoices",
    "SUPPLIER_GSTIN": "shop GSTIN",
    "SUPPLIER_STATE": "shop's state, e.g. Gujarat",
    "SUPPLIER_STATE_CODE": "shop's GST state code, e.g. 24",
    "SUPPLIER_PHONE": "shop phone on invoices (optional)",
    "SUPPLIER_UPI_VPA": "UPI id for payments (optional)",
    "CREDIT_DAYS": "days from an invoice to its due date (optional, default 30)",
    "GEMINI_API_KEY": "Gemini API key (optional; without it the deterministic interpreter alone)",
}


def settings_path(stage: str) -> str:
    """The default parameter path of a stage; the template's SettingsPath parameter must name the same one."""
    return f"/bharatbiz/{stage}"


def read_file(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        return {k: str(v) for k, v in json.loads(text).items()}
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip().strip('"').strip("'")
    return values


def collect(given: dict[str, str], interactive: bool, ask=input, ask_secret=getpass.getpass) -> dict[str, str]:
    """The values to write: the file's known names, then a prompt for each one still missing (blank skips)."""
    unknown = sorted(set(given) - set(REQUIRED + OPTIONAL))
    if unknown:
        raise SystemExit(f"unknown setting(s) in the file: {', '.join(unknown)}")
    values = {name: value for name, value in given.items() if value}
    if interactive:
        for name in REQUIRED + OPTIONAL:
            if name in values:
                continue
            prompt = f"{name} ({PROMPTS.get(name, '')}): "
            value = (ask_secret(prompt) if name in SECRETS else ask(prompt)).strip()
            if value:
                values[name] = value
    return values


def configure(stage: str, source: Path | None, path: str | None, endpoint: str | None, interactive: bool) -> int:
    import boto3

    from chalicelib.adapters.parameters import write_parameters

    path = path or settings_path(stage)
    values = collect(read_file(source) if source else {}, interactive)
    session = boto3.session.Session()
    written = write_parameters(session, endpoint, path, values, SECRETS)
    for name in written:
        print(f"  {path}/{name}  ({'SecureString' if name in SECRETS else 'String'})")
    still = missing_under(stage, path, endpoint, session.region_name)
    if still:
        print(f"Still missing or placeholders (the stage refuses to act): {', '.join(still)}", file=sys.stderr)
        return 1
    print(f"{len(written)} settings written under {path}.")
    return 0


def missing_under(stage: str, path: str, endpoint: str | None, region: str | None) -> list[str]:
    """What a function of ``stage`` would still name as missing, read back through the functions' own code."""
    from chalicelib.adapters.parameters import read_parameters
    from chalicelib.config import load_settings

    stored = read_parameters(path, endpoint, region or "ap-south-1")
    return load_settings({"STAGE": stage, **stored}).missing()
