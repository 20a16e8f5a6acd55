"""Staged payment reminders, pure: which stage of which open invoice is due today, and whether a customer may be
reminded at all now.

Stages of an invoice, by days from its due date (the latest stage reached and not yet sent is the one due; a stage
missed on a blocked day is sent on the next allowed day, and an earlier stage is never sent after a later one):

==========  ======  =====================
stage       offset  reads as
==========  ======  =====================
before_3    -3      due on <date>
due          0      due today
over_7       7      overdue by 7 days
over_15     15      overdue by 15 days
over_30     30      overdue by 30 days
==========  ======  =====================

A customer gets at most one reminder message a day (all their due stages combined), only between 10:00 and 19:00
IST, never on a day a payment of theirs was recorded, and never after they opted out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chalicelib.domain.ledger import IST, Account, InvoiceState

STAGES: tuple[tuple[str, int], ...] = (
    ("before_3", -3),
    ("due", 0),
    ("over_7", 7),
    ("over_15", 15),
    ("over_30", 30),
)
_ORDER = {name: index for index, (name, _) in enumerate(STAGES)}
OPEN_HOUR, CLOSE_HOUR = 10, 19  # IST: reminders only from 10:00 to 19:00


@dataclass(frozen=True)
class DueReminder:
    invoice: InvoiceState
    stage: str


def within_hours(now: dt.datetime) -> bool:
    local = now.astimezone(IST)
    return OPEN_HOUR <= local.hour < CLOSE_HOUR


def sent_stages(account: Account) -> dict[str, str]:
    """The latest stage already sent per invoice, from the reminder entries on the customer's ledger."""
    latest: dict[str, str] = {}
    for entry in account.entries:
        if entry.kind != "reminder":
            continue
        for number, stage in (entry.detail.get("stages") or {}).items():
            if number not in latest or _ORDER.get(stage, -1) > _ORDER.get(latest[number], -1):
                latest[number] = stage
    return latest


def stage_reached(invoice: InvoiceState, today: dt.date) -> str | None:
    days = (today - invoice.due_on).days
    reached = [name for name, offset in STAGES if days >= offset]
    return reached[-1] if reached else None


def reminded_on(account: Account, today: dt.date) -> bool:
    return any(e.kind == "reminder" and e.on == today for e in account.entries)


def paid_on(account: Account, today: dt.date) -> bool:
    """A payment of theirs was recorded today (received today, or entered today)."""
    for entry in account.entries:
        if entry.kind == "payment":
            recorded = dt.datetime.fromisoformat(entry.at).astimezone(IST).date() if "T" in entry.at else entry.on
            if entry.on == today or recorded == today:
                return True
    return account.last_payment_on == today


def due_reminders(account: Account, today: dt.date) -> tuple[DueReminder, ...]:
    """The invoices to remind this customer of today, each with its stage; () when none (or they may not be)."""
    if account.reminders_off or reminded_on(account, today) or paid_on(account, today):
        return ()
    sent = sent_stages(account)
    due = []
    for invoice in account.open_invoices:
        stage = stage_reached(invoice, today)
        if stage is None:
            continue
        if invoice.number in sent and _ORDER[sent[invoice.number]] >= _ORDER[stage]:
            continue
        due.append(DueReminder(invoice, stage))
    return tuple(due)
