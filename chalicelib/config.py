"""Settings read from environment variables (set per stage in .chalice/config.json, or by devstack locally)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

# Local defaults are deliberately, obviously fake: real values come from the stage's environment.
LOCAL_DEFAULTS = {
    "WHATSAPP_VERIFY_TOKEN": "local-verify-token",
    "WHATSAPP_APP_SECRET": "local-app-secret-not-real",
    "WHATSAPP_TOKEN": "local-graph-token-not-real",
    "WHATSAPP_PHONE_NUMBER_ID": "100000000000001",
    "OWNER_API_KEY": "local-owner-key-not-real",
    "LINK_SIGNING_SECRET": "local-link-secret-not-real",
}

TABLES = (
    "idempotency",
    "orders",
    "batches",
    "customers",
    "ledger",
    "invoices",
    "message-log",
    "outbox",
    "catalogue",
)


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the resource names derived from one prefix."""

    stage: str = "local"
    resource_prefix: str = "bharatbiz-local"
    region: str = "ap-south-1"
    aws_endpoint_url: str | None = None
    whatsapp_verify_token: str = ""
    whatsapp_app_secret: str = ""
    whatsapp_token: str = ""
    whatsapp_phone_number_id: str = ""
    whatsapp_api_base: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v21.0"
    owner_phone: str = ""
    owner_api_key: str = ""
    link_signing_secret: str = ""
    link_ttl_hours: int = 48
    public_base_url: str = "http://127.0.0.1:8000"
    gemini_api_key: str | None = None
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None
    gemini_timeout_seconds: float = 4.0
    min_cut_meters: Decimal = Decimal("0.5")
    processed_message_ttl_days: int = 14
    invoice_url_ttl_seconds: int = 7 * 24 * 3600
    outbox_lease_seconds: float = 20.0
    whatsapp_waba_id: str = ""
    supplier: dict = field(default_factory=dict)

    def table_name(self, short: str) -> str:
        return f"{self.resource_prefix}-{short}"

    @property
    def inbound_queue_name(self) -> str:
        return f"{self.resource_prefix}-inbound.fifo"

    @property
    def approvals_queue_name(self) -> str:
        return f"{self.resource_prefix}-approvals"

    @property
    def invoice_bucket(self) -> str:
        return f"{self.resource_prefix}-invoices"


def inbound_queue_name() -> str:
    """The inbound queue's name, cheap enough for app.py's decorators at import time."""
    return f"{_env('RESOURCE_PREFIX', 'bharatbiz-local')}-inbound.fifo"


def approvals_queue_name() -> str:
    return f"{_env('RESOURCE_PREFIX', 'bharatbiz-local')}-approvals"


def load_settings() -> Settings:
    """Build settings from the environment; on the local stage fake secrets fill the gaps."""
    stage = _env("STAGE", "local")
    local = stage == "local"

    def secret(name: str) -> str:
        return _env(name, LOCAL_DEFAULTS[name] if local else "") or ""

    return Settings(
        stage=stage,
        resource_prefix=_env("RESOURCE_PREFIX", "bharatbiz-local"),
        region=_env("AWS_REGION", _env("AWS_DEFAULT_REGION", "ap-south-1")),
        aws_endpoint_url=_env("AWS_ENDPOINT_URL"),
        whatsapp_verify_token=secret("WHATSAPP_VERIFY_TOKEN"),
        whatsapp_app_secret=secret("WHATSAPP_APP_SECRET"),
        whatsapp_token=secret("WHATSAPP_TOKEN"),
        whatsapp_phone_number_id=secret("WHATSAPP_PHONE_NUMBER_ID"),
        whatsapp_api_base=_env("WHATSAPP_API_BASE", "https://graph.facebook.com"),
        whatsapp_api_version=_env("WHATSAPP_API_VERSION", "v21.0"),
        owner_phone=_env("OWNER_PHONE", "919800000001" if local else ""),
        owner_api_key=secret("OWNER_API_KEY"),
        link_signing_secret=secret("LINK_SIGNING_SECRET"),
        link_ttl_hours=int(_env("LINK_TTL_HOURS", "48")),
        public_base_url=_env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        gemini_api_key=_env("GEMINI_API_KEY"),
        gemini_model=_env("GEMINI_MODEL", "gemini-2.5-flash"),
        gemini_base_url=_env("GEMINI_BASE_URL"),
        gemini_timeout_seconds=float(_env("GEMINI_TIMEOUT_SECONDS", "4")),
        min_cut_meters=Decimal(_env("MIN_CUT_METERS", "0.5")),
        processed_message_ttl_days=int(_env("PROCESSED_MESSAGE_TTL_DAYS", "14")),
        invoice_url_ttl_seconds=int(_env("INVOICE_URL_TTL_SECONDS", str(7 * 24 * 3600))),
        outbox_lease_seconds=float(_env("OUTBOX_LEASE_SECONDS", "20")),
        whatsapp_waba_id=_env("WHATSAPP_WABA_ID", "102290129340398" if local else "") or "",
        supplier={
            "name": _env("SUPPLIER_NAME", "Bharat Textiles (demo)"),
            "address": _env("SUPPLIER_ADDRESS", "12 Cloth Market, Surat"),
            "gstin": _env("SUPPLIER_GSTIN", "24AAAAA0000A1Z5"),
            "state": _env("SUPPLIER_STATE", "Gujarat"),
            "state_code": _env("SUPPLIER_STATE_CODE", "24"),
            "phone": _env("SUPPLIER_PHONE", "919800000001"),
        },
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
