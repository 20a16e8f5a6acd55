"""The composition root: the one place that builds adapters from settings and wires them into use cases.

It only wires. Each adapter gets its table names (``Tables``: the PynamoDB models bound to this container's prefix
and endpoint), client, queue URL or bucket as arguments; each use case gets the ports it uses, by name
(services/ports.py declares them). No use case sees the container. Everything is built on first use and cached for
the life of the Lambda container (or local process), so importing app.py builds nothing. Two containers with
different settings coexist. Tests build a Container from their own Settings, or pass the fakes of
chalicelib/adapters/memory.py to the services directly (tests/unit/desk.py wires them the same way).
"""

from __future__ import annotations

import threading
from functools import cached_property

from chalicelib.config import Settings, settings


class Container:
    def __init__(self, config: Settings):
        self.settings = config
        from chalicelib.logs import register_secrets

        register_secrets(*config.secrets())  # never printed, whatever logs them

    # --- AWS clients -------------------------------------------------------------------------------------------
    @cached_property
    def session(self):
        import boto3

        return boto3.session.Session(region_name=self.settings.region)

    def client(self, service: str, **config):
        from botocore.config import Config

        return self.session.client(
            service,
            endpoint_url=self.settings.aws_endpoint_url,
            config=Config(
                connect_timeout=2,
                read_timeout=10,
                retries={"max_attempts": 3, "mode": "standard"},
                max_pool_connections=32,  # one client per process, shared by every thread (the local stack has many)
                **config,
            ),
        )

    @cached_property
    def sqs(self):
        return self.client("sqs")

    @cached_property
    def s3(self):
        return self.client("s3")

    @cached_property
    def dynamodb(self):
        # PynamoDB's own clients skipped botocore's client-side validation (DynamoDB validates anyway); so does ours.
        return self.client("dynamodb", parameter_validation=False)

    @cached_property
    def tables(self):
        """The PynamoDB models bound to this container's table names, region and endpoint."""
        from chalicelib.adapters.dynamo_models import Tables

        return Tables.for_settings(self.settings, client=self.dynamodb)  # one session, one DynamoDB client

    def queue_url(self, name: str) -> str:
        return self.sqs.get_queue_url(QueueName=name)["QueueUrl"]

    # --- adapters ----------------------------------------------------------------------------------------------
    @cached_property
    def idempotency(self):
        from chalicelib.adapters.dynamo_repos import DynamoIdempotency

        return DynamoIdempotency(self.tables)

    @cached_property
    def message_log(self):
        from chalicelib.adapters.dynamo_repos import DynamoMessageLog

        return DynamoMessageLog(self.tables)

    @cached_property
    def inbound_queue(self):
        from chalicelib.adapters.dynamo_repos import SqsQueue

        return SqsQueue(self.sqs, self.queue_url(self.settings.inbound_queue_name))

    @cached_property
    def imports_queue(self):
        from chalicelib.adapters.dynamo_repos import SqsQueue

        return SqsQueue(self.sqs, self.queue_url(self.settings.imports_queue_name))

    @cached_property
    def approvals_queue(self):
        from chalicelib.adapters.dynamo_repos import SqsQueue

        return SqsQueue(self.sqs, self.queue_url(self.settings.approvals_queue_name))

    @cached_property
    def outbox(self):
        from chalicelib.adapters.dynamo_outbox import DynamoOutbox

        return DynamoOutbox(self.tables)

    @cached_property
    def whatsapp(self):
        from chalicelib.adapters.whatsapp import WhatsAppClient
        from chalicelib.adapters.whatsapp_state import DynamoWindow

        s = self.settings
        return WhatsAppClient(
            base_url=s.whatsapp_api_base,
            api_version=s.whatsapp_api_version,
            phone_number_id=s.whatsapp_phone_number_id,
            token=s.whatsapp_token,
            outbox=self.outbox,
            window=DynamoWindow(self.tables),
            templates=self.templates,
            health=self.whatsapp_health,
            lease_seconds=s.outbox_lease_seconds,
        )

    @cached_property
    def templates(self):
        """Which WhatsApp templates Meta approved (from template webhooks and `devstack templates sync`)."""
        from chalicelib.adapters.whatsapp_state import DynamoTemplateRegistry

        return DynamoTemplateRegistry(self.tables)

    @cached_property
    def whatsapp_health(self):
        from chalicelib.adapters.whatsapp_state import DynamoHealthFlag

        return DynamoHealthFlag(self.tables)

    @cached_property
    def contacts(self):
        from chalicelib.adapters.whatsapp_state import DynamoContacts

        return DynamoContacts(self.tables)

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

        return DynamoStockRepository(self.tables)

    @cached_property
    def catalogue(self):
        from chalicelib.adapters.catalogue_repository import DynamoCatalogue

        return DynamoCatalogue(self.tables)

    @cached_property
    def vocabulary(self):
        """The catalogue vocabulary, cached for a minute (call it)."""
        from chalicelib.services.reference import CachedVocabulary

        return CachedVocabulary(self.catalogue)

    @cached_property
    def gst_rates(self):
        """GST rates from the catalogue table, the seed file as fallback (call it)."""
        from chalicelib.services.reference import GstRates

        return GstRates(self.catalogue)

    @cached_property
    def desk_settings(self):
        from chalicelib.services.ports import DeskSettings

        return DeskSettings.from_settings(self.settings)

    @cached_property
    def audit(self):
        from chalicelib.adapters.audit_trail import DynamoAuditTrail

        return DynamoAuditTrail(self.tables)

    @cached_property
    def stock_import_store(self):
        from chalicelib.adapters.stock_imports import DynamoStockImports

        return DynamoStockImports(self.tables)

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

        return DynamoConversationStore(self.tables)

    # --- use cases ---------------------------------------------------------------------------------------------
    @cached_property
    def stock(self):
        from chalicelib.domain.stock import AllocationPolicy
        from chalicelib.services.stock import StockService

        return StockService(
            self.stock_repository,
            self.vocabulary,
            AllocationPolicy(self.settings.min_cut_meters),
            has_gst_rate=lambda hsn: self.reference.has_gst_rate(hsn),
        )

    @cached_property
    def stock_imports(self):
        from chalicelib.services.stock_imports import StockImports

        return StockImports(
            self.stock_import_store,
            self.imports_queue,
            self.audit,
            self.vocabulary,
            has_gst_rate=lambda hsn: self.reference.has_gst_rate(hsn),
        )

    @cached_property
    def stock_taking(self):
        from chalicelib.adapters.stock_taking import DynamoStockTaking
        from chalicelib.services.stock_taking import StockTaking

        return StockTaking(DynamoStockTaking(self.tables), self.audit)

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
    def flood_control(self):
        from chalicelib.adapters.flood_counter import DynamoFloodCounter
        from chalicelib.services.flood import FloodControl

        return FloodControl(
            counter=DynamoFloodCounter(self.tables),
            store=self.conversation_store,
            idempotency=self.idempotency,
            sender=self.whatsapp,
            message_log=self.message_log,
            limit=self.settings.customer_messages_per_minute,
        )

    @cached_property
    def conversation(self):
        from chalicelib.services.conversation import ConversationService

        return ConversationService(
            store=self.conversation_store,
            message_log=self.message_log,
            stock=self.stock,
            vocabulary=self.vocabulary,
            understanding=self.understanding,
            sender=self.whatsapp,
            owner_notifier=self.approval,
            money_desk=self.account_desk,
            gst_rates=self.gst_rates,
            supplier_state_code=self.settings.supplier["state_code"],
        )

    @cached_property
    def invoice_store(self):
        from chalicelib.adapters.invoice_store import DynamoInvoiceStore

        return DynamoInvoiceStore(self.tables, self.s3, self.settings.invoice_bucket)

    @cached_property
    def approval(self):
        from chalicelib.services.approval import ApprovalService

        return ApprovalService(
            store=self.conversation_store,
            invoices=self.invoice_store,
            approvals_queue=self.approvals_queue,
            sender=self.whatsapp,
            draft=self.invoice_drafting,
            render_pdf=self.invoice_renderer,
            settings=self.desk_settings,
            delivery=self.delivery,
            credit_check=self.credit_control,
        )

    @cached_property
    def invoice_drafting(self):
        from chalicelib.services.drafting import InvoiceDrafting

        return InvoiceDrafting(vocabulary=self.vocabulary, gst_rates=self.gst_rates, settings=self.desk_settings)

    @cached_property
    def order_views(self):
        from chalicelib.services.order_views import OrderViews

        return OrderViews(store=self.conversation_store, draft=self.invoice_drafting)

    @cached_property
    def links(self):
        from chalicelib.services.links import ApprovalLinks

        return ApprovalLinks(idempotency=self.idempotency, decisions=self.approval, settings=self.desk_settings)

    @cached_property
    def reference(self):
        from chalicelib.services.reference import ReferenceService

        return ReferenceService(self.catalogue, self.vocabulary.forget, audit=self.audit)

    @cached_property
    def customers(self):
        from chalicelib.services.customers import CustomerService

        return CustomerService(self.conversation_store, contacts=self.contacts)

    @cached_property
    def expiry(self):
        from chalicelib.services.expiry import ExpiryService

        return ExpiryService(store=self.conversation_store, sender=self.whatsapp)

    @cached_property
    def reminders(self):
        from chalicelib.adapters.conversation_store import DynamoCustomers
        from chalicelib.logs import get_logger
        from chalicelib.services.reminders import ReminderService

        return ReminderService(
            DynamoCustomers(self.tables), self.whatsapp, self.settings.supplier["name"], logger=get_logger()
        )

    # --- money (issue 11): accounts, payments, receivables ------------------------------------------------------
    @cached_property
    def staged_reminders(self):
        """Staged reminders per open invoice (replaces the daily balance nag of ``reminders``)."""
        from chalicelib.logs import get_logger
        from chalicelib.services.staged_reminders import StagedReminderService

        s = self.settings
        return StagedReminderService(
            accounts=self.accounts,
            sender=self.whatsapp,
            shop_name=s.supplier["name"],
            clock=self.clock,
            credit_days_default=s.credit_days,
            upi_vpa=s.supplier_upi_vpa,
            template_fallback=_reminder_template(s.supplier["name"]),
            logger=get_logger(),
        )

    @cached_property
    def accounts(self):
        from chalicelib.adapters.account_store import DynamoAccountStore

        return DynamoAccountStore(self.tables)

    def clock(self):
        from datetime import UTC, datetime

        return datetime.now(UTC)

    @cached_property
    def payments(self):
        from chalicelib.logs import get_logger
        from chalicelib.services.payments import PaymentService

        s = self.settings
        return PaymentService(
            accounts=self.accounts,
            sender=self.whatsapp,
            shop_name=s.supplier["name"],
            clock=self.clock,
            credit_days_default=s.credit_days,
            upi_vpa=s.supplier_upi_vpa,
            logger=get_logger(),
        )

    @cached_property
    def documents(self):
        from chalicelib.adapters.document_store import S3Documents

        return S3Documents(self.s3, self.settings.invoice_bucket)

    @cached_property
    def statements(self):
        from chalicelib.logs import get_logger
        from chalicelib.services.statements import StatementService

        def render(doc) -> bytes:
            from chalicelib.adapters.statement_pdf import render_statement_pdf

            return render_statement_pdf(doc)

        s = self.settings
        return StatementService(
            accounts=self.accounts,
            documents=self.documents,
            sender=self.whatsapp,
            render_pdf=render,
            supplier=dict(s.supplier),
            clock=self.clock,
            upi_vpa=s.supplier_upi_vpa,
            credit_days_default=s.credit_days,
            link_ttl_seconds=s.invoice_url_ttl_seconds,
            logger=get_logger(),
        )

    @cached_property
    def returns(self):
        from chalicelib.logs import get_logger
        from chalicelib.services.returns import ReturnsService

        s = self.settings
        return ReturnsService(
            accounts=self.accounts,
            returns=self.accounts,
            documents=self.documents,
            sender=self.whatsapp,
            render_pdf=self.invoice_renderer,
            clock=self.clock,
            credit_days_default=s.credit_days,
            link_ttl_seconds=s.invoice_url_ttl_seconds,
            logger=get_logger(),
        )

    @cached_property
    def account_desk(self):
        from chalicelib.services.account_desk import AccountDesk

        return AccountDesk(
            owner_phone=self.settings.owner_phone,
            payments=self.payments,
            statements=self.statements,
            accounts=self.accounts,
            sender=self.whatsapp,
            shop_name=self.settings.supplier["name"],
            credit_days_default=self.settings.credit_days,
        )

    @cached_property
    def credit_control(self):
        from chalicelib.services.payments import CreditControl

        return CreditControl(accounts=self.accounts, credit_days_default=self.settings.credit_days)

    @cached_property
    def invoice_renderer(self):
        """The invoice PDF renderer; with SUPPLIER_UPI_VPA set, the PDF carries a UPI QR for its amount."""
        vpa, payee = self.settings.supplier_upi_vpa, self.settings.supplier["name"]

        def render(invoice) -> bytes:
            from chalicelib.adapters.invoice_pdf import render_invoice_pdf

            if not vpa:
                return render_invoice_pdf(invoice)
            from chalicelib.domain.ledger import upi_uri

            return render_invoice_pdf(invoice, upi=upi_uri(vpa, payee, invoice.totals.grand_total, invoice.number))

        return render

    @cached_property
    def receivables(self):
        from chalicelib.services.payments import ReceivablesService

        return ReceivablesService(
            accounts=self.accounts, clock=self.clock, credit_days_default=self.settings.credit_days
        )

    @cached_property
    def health(self):
        """The health check (call it): a DescribeTable on the orders table."""
        from chalicelib.adapters.health import TableHealth

        return TableHealth(
            self.dynamodb, self.settings.table_name("orders"), self.settings.stage, whatsapp=self.whatsapp_health
        )


def _reminder_template(shop: str):
    """The payment_reminder template as the reminder's fallback outside the 24-hour window, once the approved
    templates (chalicelib/templates, issue 10) are there; until then None, and reminders count outside_window."""
    try:
        from chalicelib.templates import template
    except ImportError:
        return None

    def build(account, amount: str) -> dict:
        language = "hi" if account.language == "hi" else "en"
        values = {"name": account.name or "-", "shop": shop, "amount": amount}
        return template("payment_reminder").payload(account.phone, language, values)

    return build


def _render_invoice_pdf(invoice) -> bytes:
    """The PDF renderer, imported on first use (fpdf and its fonts are heavy for a cold start)."""
    from chalicelib.adapters.invoice_pdf import render_invoice_pdf

    return render_invoice_pdf(invoice)


_container: Container | None = None
_container_lock = threading.Lock()


def container() -> Container:
    """The process's container, built once on first use. On a non-local stage whose settings are missing or
    placeholders it raises SettingsIncomplete (naming them) instead: no function acts, no invoice carries the demo
    shop. The settings are read again on the next call (Powertools caches the SSM read), so setting them is enough."""
    global _container
    with _container_lock:
        if _container is None:
            from chalicelib.config import SettingsIncomplete

            config = settings()
            missing = config.missing()
            if missing:
                settings.cache_clear()
                raise SettingsIncomplete(missing)
            _container = Container(config)
        return _container


def reset(config: Settings | None = None) -> Container:
    """Replace the process's container (tests and devstack, after changing the environment)."""
    global _container
    from chalicelib import config as config_module

    config_module.settings.cache_clear()
    with _container_lock:
        _container = Container(config or settings())
        return _container
