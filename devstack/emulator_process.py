"""The embedded emulator in a process of its own, so moto runs on a core of its own.

The local stack is Python threads (the app server, the workers, the fake Graph API, the scheduler): one interpreter
lock. With moto in the same process, 20 customers writing at once kept one core busy and the other idle (py-spy:
~17 % of the time in moto, more in its HTTP server). In a child process the emulator serves its requests beside the
stack instead of between its threads; everything else is unchanged: the same serialised moto (emulator.py), the same
state file, TTL sweep and saves, the same URL for every AWS client.

The parent talks to the child through:
- the child's stdout: one JSON line when it is up (``{"port": …, "restored": …}``) or could not start
  (``{"error": …, "kind": …}``), then one ``sent <queue url>`` line per message sent to a queue (the SQS mapping's
  wake-up, as Lambda's long poll; see Emulator.on_queue_send);
- the child's stdin: closed when the parent stops or dies, which makes the child stop (saving the state when it keeps
  one) and exit; it ignores Ctrl-C (the parent stops it, after its workers are done) and stops the same way on
  SIGTERM;
- control endpoints on the emulator's own port, under ``/_devstack/``: ``sweep`` (expired items now), ``save``,
  ``memory`` (its RSS and stored data) and, for the benchmark, ``wrap`` (a WSGI middleware around moto, e.g. the
  meter) and ``report`` (that middleware's figures).

Tests use the in-process Emulator (tests/conftest.py) or this one; ``StackConfig.emulator_in_process`` chooses.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

log = logging.getLogger("devstack.emulator")

ROOT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 120  # a stop saves the state first: 0.05 s per MB measured, so this is generous


class EmulatorProcess:
    """The Emulator's interface (url, restored, start, stop, on_queue_send, sweep_expired, save), in a child."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: Path | None = None,
        save_seconds: float = 30,
        ttl_sweep_seconds: float = 60,
    ):
        self.host, self.port = host, port
        self.options = {
            "host": host,
            "port": port,
            "state_file": str(state_file) if state_file else None,
            "save_seconds": save_seconds,
            "ttl_sweep_seconds": ttl_sweep_seconds,
            "log_level": logging.getLogger().getEffectiveLevel(),
        }
        self.restored = False
        self._process: subprocess.Popen | None = None
        self._listeners: list = []
        self._reader: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> EmulatorProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "devstack.emulator_process", json.dumps(self.options)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # the terminal's Ctrl-C goes to the stack, which stops the emulator last
        )
        first = self._process.stdout.readline()
        answer = _json(first)
        if "port" not in answer:
            code = self._process.wait(timeout=STOP_SECONDS)
            raise _start_error(answer, code)
        self.port, self.restored = answer["port"], answer["restored"]
        self._reader = threading.Thread(target=self._read_events, name="emulator-events", daemon=True)
        self._reader.start()
        log.info("emulator: in its own process (pid %d)", self._process.pid)
        return self

    def stop(self) -> None:
        """Stop the child (it saves its state first when it keeps one) and wait for it."""
        if self._process is None:
            return
        process, self._process = self._process, None
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            log.error("emulator: did not stop in %d s; killed (its last changes may be lost)", STOP_SECONDS)
            process.kill()
            process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)

    def on_queue_send(self, listener) -> None:
        self._listeners.append(listener)

    def _read_events(self) -> None:
        for line in self._process.stdout if self._process else ():
            if line.startswith("sent "):
                for listener in list(self._listeners):
                    try:
                        listener(line[5:].strip())
                    except Exception:
                        log.exception("emulator: a send listener failed")

    # --- control ------------------------------------------------------------------------------------------------
    def control(self, action: str, **params) -> dict:
        """POST to a control endpoint; its JSON answer (RuntimeError with the child's reason on a refusal)."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            f"{self.url}/_devstack/{action}",
            data=json.dumps(params).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=STOP_SECONDS) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"emulator {action}: {exc.read().decode(errors='replace')}") from None

    def sweep_expired(self, now: float | None = None) -> int:
        return self.control("sweep", now=now)["swept"]

    def save(self, path: Path | None = None) -> float:
        return self.control("save", path=str(path) if path else None)["held"]

    def memory(self) -> dict:
        """The child's memory: RSS, the stored data, its items and the rest (see memory_reading)."""
        return self.control("memory")


def _json(line: str) -> dict:
    try:
        answer = json.loads(line)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _start_error(answer: dict, code: int) -> Exception:
    from devstack.emulator_state import IncompatibleSnapshot

    reason = answer.get("error") or f"the emulator process exited with code {code} before it was up (see above)"
    if answer.get("kind") == "IncompatibleSnapshot":
        return IncompatibleSnapshot(reason)
    return OSError(reason)


# --- memory, read in the process that holds the emulator ----------------------------------------------------------
def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def stored_mb() -> tuple[float, int]:
    """(MB, items) the emulator's stored data takes in this process: every DynamoDB table's items as moto holds them
    (its key → item dictionaries, the items' objects, attribute names and values, measured with ``sys.getsizeof``)
    and every S3 object's bytes. Not leaked memory: it is what DynamoDB and S3 would keep, and it grows with the
    data, as a database does."""
    from moto.backends import get_backend

    from devstack.emulator_dynamodb import tables

    seen: set[int] = set()
    total = items = 0
    for table in tables():
        items += len(table)
        pending = [table.items]
        while pending:
            obj = pending.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            total += sys.getsizeof(obj)
            if isinstance(obj, dict):
                pending.extend(obj.keys())
                pending.extend(obj.values())
            elif isinstance(obj, list | tuple | set):
                pending.extend(obj)
            elif hasattr(obj, "__dict__") and not isinstance(obj, type):
                pending.append(obj.__dict__)
    for regions in get_backend("s3").values():
        for backend in regions.values() if isinstance(regions, dict) else [regions]:
            for bucket in getattr(backend, "buckets", {}).values():
                for key in bucket.keys.values():
                    items += 1
                    total += getattr(key, "size", 0) or 0
    return total / 2**20, items


def live_rss_mb() -> float:
    """This process's RSS after a collection and handing freed memory back to the OS (as the emulator's housekeeping
    does once a minute), so it counts live memory."""
    import gc

    from devstack.emulator import release_free_memory

    gc.collect()
    release_free_memory()
    return rss_mb()


def memory_reading(lock: threading.Lock | None = None) -> dict:
    """This process's live memory (RSS) and the emulator's stored data in it (read under ``lock`` when given)."""
    import contextlib

    rss = live_rss_mb()
    with lock or contextlib.nullcontext():
        stored, items = stored_mb()
    return {"rss": rss, "stored": stored, "items": items, "rest": rss - stored}


# --- the child ----------------------------------------------------------------------------------------------------
class Control:
    """The control endpoints (a WSGI app for the paths under /_devstack/)."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.middleware = None

    def __call__(self, environ, start_response):
        action = environ["PATH_INFO"].rsplit("/", 1)[-1]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        params = _json(environ["wsgi.input"].read(length).decode() if length else "{}")
        try:
            status, answer = "200 OK", self.act(action, params)
        except LookupError as exc:
            status, answer = "404 Not Found", {"error": str(exc)}
        except (ValueError, TypeError) as exc:
            status, answer = "400 Bad Request", {"error": str(exc)}
        body = json.dumps(answer).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def act(self, action: str, params: dict) -> dict:
        emulator = self.emulator
        if action == "sweep":
            return {"swept": emulator.sweep_expired(params.get("now"))}
        if action == "save":
            path = Path(params["path"]) if params.get("path") else emulator.state_file
            if path is None:
                raise ValueError("this emulator keeps no state file: name a path")
            return {"held": emulator.save(path)}
        if action == "memory":
            return memory_reading(emulator._app.lock)
        if action == "wrap":
            import importlib

            module, _, name = str(params.get("middleware") or "").partition(":")
            if not module.startswith("benchmarks.") or not name:
                raise ValueError("middleware: 'benchmarks.<module>:<class>'")
            self.middleware = emulator.wrap_backend(getattr(importlib.import_module(module), name))
            return {"wrapped": params["middleware"]}
        if action == "report":
            if self.middleware is None:
                raise ValueError("nothing wrapped")
            with emulator._app.lock:  # the middleware counts under this lock
                return self.middleware.report()
        raise LookupError(f"no control action {action!r}")


def main(argv: list[str]) -> int:
    options = json.loads(argv[0])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the emulator after its own workers
    logging.basicConfig(
        level=options.get("log_level", logging.INFO), format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
    )
    for noisy in ("werkzeug", "botocore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from chalicelib.logs import install_scrubbing
    from devstack.emulator import Emulator
    from devstack.emulator_state import IncompatibleSnapshot

    install_scrubbing()
    state_file = Path(options["state_file"]) if options.get("state_file") else None
    emulator = Emulator(
        options["host"],
        options["port"],
        state_file=state_file,
        save_seconds=options["save_seconds"],
        ttl_sweep_seconds=options["ttl_sweep_seconds"],
    )
    out = sys.stdout
    out_lock = threading.Lock()

    def tell(line: str) -> None:
        with out_lock:
            try:
                out.write(line + "\n")
                out.flush()
            except (OSError, ValueError):  # the parent is gone; stdin's end stops this process
                pass

    try:
        emulator.start()
    except IncompatibleSnapshot as exc:
        tell(json.dumps({"error": str(exc), "kind": "IncompatibleSnapshot"}))
        return 2
    except (OSError, SystemExit) as exc:  # werkzeug exits (after a line on stderr) when the port is taken
        reason = str(exc) if isinstance(exc, OSError) else "the port is in use by another program"
        tell(json.dumps({"error": f"the emulator could not listen on {options['host']}:{options['port']}: {reason}"}))
        return 1
    emulator.admin = Control(emulator)
    emulator.on_queue_send(lambda url: tell(f"sent {url}"))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())

    def wait_for_parent():
        sys.stdin.read()  # returns when the parent closes our stdin or dies
        stopping.set()

    threading.Thread(target=wait_for_parent, name="parent-watch", daemon=True).start()
    tell(json.dumps({"port": emulator.port, "restored": emulator.restored}))
    while not stopping.wait(1.0):
        pass
    started = time.perf_counter()
    emulator.stop()
    log.debug("emulator: stopped in %.2f s", time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
