"""Runs the app's @app.schedule handlers on their schedules locally, and on demand from the command line.

Understands EventBridge's ``rate(N minute|minutes|hour|hours|day|days)`` and ``cron(min hour dom month dow year)``
(``*``, ``?``, numbers, lists, ranges and ``/`` steps; day-of-week 1-7 = SUN-SAT or names). Times are UTC, as in
EventBridge.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import UTC, datetime

log = logging.getLogger("devstack.scheduler")

_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
_DOW = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def schedule_expression(event_source) -> str:
    expr = event_source.schedule_expression
    return expr if isinstance(expr, str) else expr.to_string()


def _field_matches(spec: str, value: int, names: dict | None = None) -> bool:
    if spec in ("*", "?"):
        return True
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if names:
            part = re.sub(r"[A-Z]{3}", lambda m: str(names[m.group(0)]), part.upper())
        if part in ("*", "?"):
            lo, hi = 0, 10**6
        elif "-" in part:
            lo, hi = (int(x) for x in part.split("-"))
        else:
            lo = hi = int(part)
            if step > 1:
                hi = 10**6
        if lo <= value <= hi and (value - lo) % step == 0:
            return True
    return False


def is_due(expression: str, now: datetime, last_run: datetime | None) -> bool:
    """Whether a schedule should fire at ``now`` (checked once a minute), given when it last ran."""
    rate = re.fullmatch(r"rate\((\d+) (\w+)\)", expression)
    if rate:
        period = int(rate.group(1)) * _UNITS[rate.group(2)]
        return last_run is None or (now - last_run).total_seconds() >= period
    cron = re.fullmatch(r"cron\((.+)\)", expression)
    if not cron:
        raise ValueError(f"unsupported schedule expression: {expression}")
    minute, hour, dom, month, dow, *_ = cron.group(1).split()
    if last_run is not None and last_run.replace(second=0, microsecond=0) == now.replace(second=0, microsecond=0):
        return False
    weekday = (now.isoweekday() % 7) + 1  # EventBridge: 1 = Sunday
    return (
        _field_matches(minute, now.minute)
        and _field_matches(hour, now.hour)
        and _field_matches(dom, now.day)
        and _field_matches(month, now.month)
        and _field_matches(dow, weekday, _DOW)
    )


def scheduled_handlers(chalice_app) -> dict:
    """{name: (expression, handler)} for every @app.schedule of the app."""
    import app as app_module

    out = {}
    for source in chalice_app.event_sources:
        if hasattr(source, "schedule_expression"):
            out[source.name] = (schedule_expression(source), getattr(app_module, source.name))
    return out


def scheduled_event(name: str) -> dict:
    return {
        "version": "0",
        "id": f"local-{int(time.time())}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "ap-south-1",
        "resources": [f"arn:aws:events:ap-south-1:123456789012:rule/{name}"],
        "detail": {},
    }


def run_now(name: str, handler) -> object:
    from devstack.mapping import LambdaContext

    log.info("schedule: running %s", name)
    return handler(scheduled_event(name), LambdaContext(name))


class Scheduler:
    def __init__(self, handlers: dict, tick: float = 20.0):
        self.handlers, self.tick = handlers, tick
        self._last: dict[str, datetime] = {}
        self._stop = threading.Event()
        self._thread = None

    def start(self) -> Scheduler:
        now = datetime.now(UTC)
        self._last = {name: now for name in self.handlers}  # like EventBridge: first run after one period
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            now = datetime.now(UTC)
            for name, (expression, handler) in self.handlers.items():
                if is_due(expression, now, self._last.get(name)):
                    self._last[name] = now
                    try:
                        run_now(name, handler)
                    except Exception:
                        log.exception("schedule: %s failed", name)
