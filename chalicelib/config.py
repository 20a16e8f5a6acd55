"""Settings: on AWS from SSM Parameter Store under the stage's SETTINGS_PATH (secrets as SecureStrings, read through
Powertools Parameters with caching), locally from environment variables (devstack sets them)."""

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

# Every parameter the app reads under SETTINGS_PATH (named like the environment variable it replaces), and which of
# them are secrets (SecureString, never echoed by `devstack configure`). A non-local stage refuses to act while any
# REQUIRED one is missing or still a placeholder.
SECRETS = (
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_TOKEN",
    "OWNER_API_KEY",
    "LINK_SIGNING_SECRET",
    "GEMINI_API_KEY",
)
REQUIRED = (
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "OWNER_PHONE",
    "OWNER_API_KEY",
    "LINK_SIGNING_SECRET",
    "PUBLIC_BASE_URL",
    "SUPPLIER_NAME",
    "SUPPLIER_ADDRESS",
    "SUPPLIER_GSTIN",
    "SUPPLIER_STATE",
    "SUPPLIER_STATE_CODE",
)
OPTIONAL = ("SUPPLIER_PHONE", "SUPPLIER_UPI_VPA", "CREDIT_DAYS", "GEMINI_API_KEY")
# The demo shop of the local stage: never on an invoice outside it.
DEMO_SUPPLIER = {
    "name": "Bharat Textiles (demo)",
    "address": "12 Cloth Market, Surat",
    "gstin": "24AAAAA0000A1Z5",
    "state": "Gujarat",
    "state_code": "24",
    "phone": "919800000001",
}
PLACEHOLDERS = ("", "changeme", "change-me", "change_me", "todo", "placeholder", "xxx")
PARAMETERS_MAX_AGE_SECONDS = 300
EMULATOR_ACCOUNT_ID = "123456789012"  # the account moto (and devstack.provision) use for ${AWS::AccountId}

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
    "audit",
    "imports",
)


def _env(name: str, default: str | None = None, source: dict | None = None) -> str | None:
    value = (source if source is not None else os.environ).get(name)
    return value if value not in (None, "") else default


class SettingsIncomplete(RuntimeError):
    """A non-local stage lacks settings it needs (or has placeholders): it refuses to act until they are set."""

    def __init__(self, missing: list[str]):
        super().__init__("missing or placeholder settings: " + ", ".join(missing))
        self.missing = missing


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
    customer_messages_per_minute: int = 20  # flood control: more in a minute get one "please wait" (0: off)
    invoice_url_ttl_seconds: int = 7 * 24 * 3600
    outbox_lease_seconds: float = 20.0
    whatsapp_waba_id: str = ""
    supplier: dict = field(default_factory=dict)
    credit_days: int = 30  # CREDIT_DAYS: days from an invoice to its due date, unless the customer has their own
    supplier_upi_vpa: str | None = None  # SUPPLIER_UPI_VPA: invoices and statements carry a UPI QR when set

    settings_path: str | None = None
    invoice_bucket_name: str | None = None
    values: dict = field(default_factory=dict, repr=False, compare=False)  # raw NAME -> value, for missing()

    def missing(self) -> list[str]:
        """The REQUIRED settings that are unset or placeholders (always none on the local stage)."""
        if self.stage == "local":
            return []
        return [name for name in REQUIRED if _placeholder(name, self.values.get(name))]

    def secrets(self) -> tuple[str, ...]:
        """The values logs must never show."""
        return tuple(
            v
            for v in (
                self.whatsapp_verify_token,
                self.whatsapp_app_secret,
                self.whatsapp_token,
                self.owner_api_key,
                self.link_signing_secret,
                self.gemini_api_key,
            )
            if v
        )

    def table_name(self, short: str) -> str:
        return f"{self.resource_prefix}-{short}"

    @property
    def inbound_queue_name(self) -> str:
        return f"{self.resource_prefix}-inbound.fifo"

    @property
    def approvals_queue_name(self) -> str:
        return f"{self.resource_prefix}-approvals.fifo"

    @property
    def imports_queue_name(self) -> str:
        return f"{self.resource_prefix}-imports"

    @property
    def invoice_bucket(self) -> str:
        # On AWS the template passes the bucket's name (it carries the account id); locally the emulator's account.
        return self.invoice_bucket_name or f"{self.resource_prefix}-invoices-{EMULATOR_ACCOUNT_ID}"


def inbound_queue_name() -> str:
    """The inbound queue's name, cheap enough for app.py's decorators at import time."""
    return f"{_env('RESOURCE_PREFIX', 'bharatbiz-local')}-inbound.fifo"


def approvals_queue_name() -> str:
    return f"{_env('RESOURCE_PREFIX', 'bharatbiz-local')}-approvals.fifo"


def imports_queue_name() -> str:
    return f"{_env('RESOURCE_PREFIX', 'bharatbiz-local')}-imports"


def _placeholder(name: str, value: str | None) -> bool:
    text = (value or "").strip()
    if text.lower() in PLACEHOLDERS or "not-real" in text or text in LOCAL_DEFAULTS.values():
        return True
    if name == "PUBLIC_BASE_URL":
        return not text.startswith("https://")  # never the local http://127.0.0.1 default on a real stage
    demo = {"SUPPLIER_NAME": "name", "SUPPLIER_ADDRESS": "address", "SUPPLIER_GSTIN": "gstin"}
    return name in demo and text == DEMO_SUPPLIER[demo[name]]


def read_values(environ=None) -> dict:
    """NAME -> value: the environment, overlaid with the parameters under SETTINGS_PATH when it is set."""
    environ = dict(os.environ if environ is None else environ)
    path = _env("SETTINGS_PATH", source=environ)
    if path:
        from chalicelib.adapters.parameters import read_parameters

        region = _env("AWS_REGION", _env("AWS_DEFAULT_REGION", "ap-south-1", environ), environ)
        try:
            environ.update(read_parameters(path, _env("AWS_ENDPOINT_URL", source=environ), region))
        except Exception as exc:  # unreadable (no permission, no network): act as if unset, say why, retry next call
            from chalicelib.logs import get_logger

            get_logger().error(
                "settings: cannot read %s: %s", path, type(exc).__name__, extra={"error": str(exc)[:300]}
            )
    return environ


def load_settings(values: dict | None = None) -> Settings:
    """Build settings from ``values`` (default: read_values()); on the local stage fake secrets fill the gaps."""
    values = read_values() if values is None else values

    def _env(name: str, default: str | None = None) -> str | None:
        value = values.get(name)
        return value if value not in (None, "") else default

    stage = _env("STAGE", "local")
    local = stage == "local"

    def secret(name: str) -> str:
        return _env(name, LOCAL_DEFAULTS[name] if local else "") or ""

    def shop(name: str, key: str) -> str:
        return _env(name, DEMO_SUPPLIER[key] if local else "") or ""

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
        public_base_url=(_env("PUBLIC_BASE_URL", "http://127.0.0.1:8000" if local else "") or "").rstrip("/"),
        gemini_api_key=_env("GEMINI_API_KEY"),
        gemini_model=_env("GEMINI_MODEL", "gemini-2.5-flash"),
        gemini_base_url=_env("GEMINI_BASE_URL"),
        gemini_timeout_seconds=float(_env("GEMINI_TIMEOUT_SECONDS", "4")),
        min_cut_meters=Decimal(_env("MIN_CUT_METERS", "0.5")),
        processed_message_ttl_days=int(_env("PROCESSED_MESSAGE_TTL_DAYS", "14")),
        customer_messages_per_minute=int(_env("CUSTOMER_MESSAGES_PER_MINUTE", "20")),
        invoice_url_ttl_seconds=int(_env("INVOICE_URL_TTL_SECONDS", str(7 * 24 * 3600))),
        outbox_lease_seconds=float(_env("OUTBOX_LEASE_SECONDS", "20")),
        whatsapp_waba_id=_env("WHATSAPP_WABA_ID", "102290129340398" if local else "") or "",
        credit_days=int(_env("CREDIT_DAYS", "30")),
        supplier_upi_vpa=_env("SUPPLIER_UPI_VPA", "bharattextiles.demo@upi" if local else None),
        supplier={
            "name": shop("SUPPLIER_NAME", "name"),
            "address": shop("SUPPLIER_ADDRESS", "address"),
            "gstin": shop("SUPPLIER_GSTIN", "gstin"),
            "state": shop("SUPPLIER_STATE", "state"),
            "state_code": shop("SUPPLIER_STATE_CODE", "state_code"),
            "phone": shop("SUPPLIER_PHONE", "phone"),
        },
        settings_path=_env("SETTINGS_PATH"),
        invoice_bucket_name=_env("INVOICE_BUCKET"),
        values={name: values.get(name) for name in REQUIRED + OPTIONAL},
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()


def unconfigured() -> dict | None:
    """The 503 body every door answers while the stage's settings are missing or placeholders (it acts on nothing),
    or None when they are all there. Reads them again next time: configuring the stage is enough, no redeploy."""
    missing = settings().missing()
    if not missing:
        return None
    settings.cache_clear()
    return {"ok": False, "error": "settings missing", "missing": missing}
