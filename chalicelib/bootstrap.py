"""The composition root: the one place that builds adapters from settings and wires them into use cases.

Everything is built on first use and cached for the life of the Lambda container (or local process), so importing
app.py builds nothing. Tests build a Container from their own Settings, or pass fakes to the services directly.
"""

from __future__ import annotations

import threading
from functools import cached_property

from chalicelib.config import Settings, settings

VOCABULARY_TTL_SECONDS = 60


class Container:
    def __init__(self, config: Settings):
        self.settings = config
        self._lock = threading.RLock()

    # --- AWS clients -------------------------------------------------------------------------------------------
    @cached_property
    def session(self):
        import boto3

        return boto3.session.Session(region_name=self.settings.region)

    def client(self, service: str):
        from botocore.config import Config

        return self.session.client(
            service,
            endpoint_url=self.settings.aws_endpoint_url,
            config=Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"}),
        )

    @cached_property
    def sqs(self):
        return self.client("sqs")

    @cached_property
    def s3(self):
        return self.client("s3")

    @cached_property
    def dynamodb(self):
        return self.client("dynamodb")

    @cached_property
    def models_bound(self) -> bool:
        from chalicelib.adapters import dynamo_models

        dynamo_models.bind(self.settings)
        return True

    def queue_url(self, name: str) -> str:
        return self.sqs.get_queue_url(QueueName=name)["QueueUrl"]

    # --- adapters ----------------------------------------------------------------------------------------------
    @cached_property
    def idempotency(self):
        from chalicelib.adapters.dynamo_repos import DynamoIdempotency

        assert self.models_bound
        return DynamoIdempotency()

    @cached_property
    def message_log(self):
        from chalicelib.adapters.dynamo_repos import DynamoMessageLog

        assert self.models_bound
        return DynamoMessageLog()

    @cached_property
    def inbound_queue(self):
        from chalicelib.adapters.dynamo_repos import SqsQueue

        return SqsQueue(self.sqs, self.queue_url(self.settings.inbound_queue_name))

    @cached_property
    def approvals_queue(self):
        from chalicelib.adapters.dynamo_repos import SqsQueue

        return SqsQueue(self.sqs, self.queue_url(self.settings.approvals_queue_name))

    @cached_property
    def outbox(self):
        from chalicelib.adapters.dynamo_outbox import DynamoOutbox

        assert self.models_bound
        return DynamoOutbox()

    @cached_property
    def whatsapp(self):
        from chalicelib.adapters.whatsapp import WhatsAppClient
        from chalicelib.adapters.whatsapp_state import DynamoWindow

        s = self.settings
        assert self.models_bound
        return WhatsAppClient(
            base_url=s.whatsapp_api_base,
            api_version=s.whatsapp_api_version,
            phone_number_id=s.whatsapp_phone_number_id,
            token=s.whatsapp_token,
            outbox=self.outbox,
            window=DynamoWindow(),
            templates=self.templates,
            health=self.whatsapp_health,
            lease_seconds=s.outbox_lease_seconds,
        )

    @cached_property
    def templates(self):
        """Which WhatsApp templates Meta approved (from template webhooks and `devstack templates sync`)."""
        from chalicelib.adapters.whatsapp_state import DynamoTemplateRegistry

        assert self.models_bound
        return DynamoTemplateRegistry()

    @cached_property
    def whatsapp_health(self):
        from chalicelib.adapters.whatsapp_state import DynamoHealthFlag

        assert self.models_bound
        return DynamoHealthFlag()

    @cached_property
    def contacts(self):
        from chalicelib.adapters.whatsapp_state import DynamoContacts

        assert self.models_bound
        return DynamoContacts()

    @cached_property
    def delivery(self):
        from chalicelib.logs import get_logger
        from chalicelib.services.delivery import DeliveryService

        return DeliveryService(
            self.outbox,
            self.whatsapp,
            templates=self.templates,
            health=self.whatsapp_health,
            owner_phone=self.settings.owner_phone,
            logger=get_logger(),
        )

    @cached_property
    def stock_repository(self):
        from chalicelib.adapters.stock_repository import DynamoStockRepository

        assert self.models_bound
        return DynamoStockRepository()

    @cached_property
    def catalogue(self):
        from chalicelib.adapters.catalogue_repository import DynamoCatalogue

        assert self.models_bound
        return DynamoCatalogue()

    def vocabulary(self):
        """The catalogue vocabulary from its table, re-read at most once a minute so owner edits apply quickly."""
        import time

        with self._lock:
            cached = getattr(self, "_vocabulary_cache", None)
            if cached is None or time.monotonic() - cached[0] > VOCABULARY_TTL_SECONDS:
                vocabulary = self.catalogue.vocabulary()
                if not vocabulary.materials:  # an unseeded table: fall back to the seed file rather than know nothing
                    from chalicelib.domain.catalogue import Vocabulary

                    vocabulary = Vocabulary.from_seed()
                cached = (time.monotonic(), vocabulary)
                self._vocabulary_cache = cached
            return cached[1]

    @cached_property
    def understanding(self):
        """The deterministic interpreter, with Gemini behind it when GEMINI_API_KEY is set."""
        from chalicelib.domain.interpreter import interpret
        from chalicelib.logs import get_logger
        from chalicelib.services.understanding import Understanding

        llm = None
        s = self.settings
        if s.gemini_api_key:
            from chalicelib.adapters.gemini import GeminiInterpreter

            llm = GeminiInterpreter(
                s.gemini_api_key, s.gemini_model, s.gemini_base_url, s.gemini_timeout_seconds, logger=get_logger()
            )
        return Understanding(interpret, llm, logger=get_logger())

    @cached_property
    def conversation_store(self):
        from chalicelib.adapters.conversation_store import DynamoConversationStore

        assert self.models_bound
        return DynamoConversationStore()

    # --- use cases ---------------------------------------------------------------------------------------------
    @cached_property
    def stock(self):
        from chalicelib.domain.stock import AllocationPolicy
        from chalicelib.services.stock import StockService

        return StockService(self.stock_repository, self.vocabulary, AllocationPolicy(self.settings.min_cut_meters))

    @cached_property
    def inbound(self):
        from chalicelib.logs import get_logger
        from chalicelib.services.inbound import InboundService

        return InboundService(
            idempotency=self.idempotency,
            queue=self.inbound_queue,
            message_log=self.message_log,
            outbox=self.outbox,
            app_secret=self.settings.whatsapp_app_secret,
            ttl_seconds=self.settings.processed_message_ttl_days * 86400,
            logger=get_logger(),
            delivery=self.delivery,
            contacts=self.contacts,
        )

    @cached_property
    def conversation(self):
        from chalicelib.services.conversation import ConversationService

        return ConversationService(container=self)

    @cached_property
    def invoice_store(self):
        from chalicelib.adapters.invoice_store import DynamoInvoiceStore

        assert self.models_bound
        return DynamoInvoiceStore(self.s3, self.settings.invoice_bucket)

    def gst_rates(self):
        """GST rates from the catalogue table (the owner's edits), falling back to the seed file when empty."""
        rates = self.catalogue.gst_rates()
        if not rates:
            from chalicelib.domain.gst import load_seed_rates

            rates = load_seed_rates()
        return rates

    @cached_property
    def approval(self):
        from chalicelib.services.approval import ApprovalService

        return ApprovalService(self)

    @cached_property
    def reference(self):
        from chalicelib.services.reference import ReferenceService

        def forget():
            with self._lock:
                self._vocabulary_cache = None

        return ReferenceService(self.catalogue, forget)

    @cached_property
    def customers(self):
        from chalicelib.services.customers import CustomerService

        return CustomerService(self.conversation_store)

    @cached_property
    def expiry(self):
        from chalicelib.services.expiry import ExpiryService

        return ExpiryService(self)

    @cached_property
    def reminders(self):
        from chalicelib.adapters.conversation_store import DynamoCustomers
        from chalicelib.logs import get_logger
        from chalicelib.services.reminders import ReminderService

        assert self.models_bound
        return ReminderService(DynamoCustomers(), self.whatsapp, self.settings.supplier["name"], logger=get_logger())

    def health(self) -> dict:
        """Proves the function can reach its table: a cheap DescribeTable on the orders table."""
        table = self.settings.table_name("orders")
        status = self.dynamodb.describe_table(TableName=table)["Table"]["TableStatus"]
        health = {"ok": status == "ACTIVE", "table": table, "status": status, "stage": self.settings.stage}
        whatsapp = self.whatsapp_health.problem()
        if whatsapp:  # sends fail for a reason only a person can fix (an expired token, a lost permission)
            health.update(ok=False, whatsapp=whatsapp)
        return health


_container: Container | None = None
_container_lock = threading.Lock()


def container() -> Container:
    """The process's container, built once on first use."""
    global _container
    with _container_lock:
        if _container is None:
            _container = Container(settings())
        return _container


def reset(config: Settings | None = None) -> Container:
    """Replace the process's container (tests and devstack, after changing the environment)."""
    global _container
    from chalicelib import config as config_module

    config_module.settings.cache_clear()
    with _container_lock:
        _container = Container(config or settings())
        return _container
