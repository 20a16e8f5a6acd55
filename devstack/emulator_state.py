"""The embedded emulator's state on disk: a pickle of moto's DynamoDB, SQS and S3 backends, saved and restored whole.

moto 5.2 has no persistence of its own. Its Recorder (MOTO_ENABLE_RECORDING) logs every request to replay it later,
which was measured and rejected for this: the log and its replay grow with every request ever made (hours of traffic
replay for minutes), and a replayed ReceiveMessage gets fresh receipt handles, so the replayed DeleteMessage calls
fail and consumed messages come back. moto's maintainers point at pickling the backends instead
(getmoto/moto#1069, #2882), which is what this does, with the standard ``pickle`` module: the few threading
primitives inside the backends (an SQS queue's Condition) are written as "make a new one" and recreated on load;
S3 keys pickle their bodies themselves (moto's own ``FakeKey.__getstate__``).

The snapshot is one file written atomically (temporary file, then rename) while the emulator's lock is held, so it
is always a consistent state between two requests. It records moto's version: a snapshot from another version is
not loaded (start again with ``make reset``) rather than half-understood.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import threading
from pathlib import Path

log = logging.getLogger("devstack.emulator")

SERVICES = ("dynamodb", "sqs", "s3")
# State kept on a service's BackendDict itself rather than on its per-region backends (S3's global bucket namespace).
BACKEND_DICT_ATTRIBUTES = {"s3": ("bucket_accounts",)}
FORMAT = 1

_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class IncompatibleSnapshot(RuntimeError):
    """The saved state was written by another moto version or format."""


class _Pickler(pickle.Pickler):
    """Pickles moto's backends; a lock or condition inside them is saved as 'a fresh one' (they guard nothing
    across a restart)."""

    def reducer_override(self, obj):
        if isinstance(obj, threading.Condition):
            return threading.Condition, ()
        if isinstance(obj, _LOCK_TYPES):
            return (threading.RLock if isinstance(obj, _LOCK_TYPES[1]) else threading.Lock), ()
        return NotImplemented


def _moto_version() -> str:
    import moto

    return moto.__version__


def capture() -> bytes:
    """The state of every emulated service, as bytes. Call with the emulator's lock held."""
    from moto.backends import get_backend

    state, shared = {}, {}
    for service in SERVICES:
        backends = get_backend(service)
        state[service] = {
            account: {region: backend.__dict__ for region, backend in regions.items()}
            for account, regions in backends.items()
        }
        shared[service] = {name: getattr(backends, name) for name in BACKEND_DICT_ATTRIBUTES.get(service, ())}
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(
        {"format": FORMAT, "moto": _moto_version(), "services": state, "shared": shared}
    )
    return buffer.getvalue()


def restore(data: bytes) -> None:
    """Put a captured state back into moto's backends (before the emulator serves anything)."""
    from moto.backends import get_backend

    try:
        snapshot = pickle.loads(data)  # our own file under .devstack/, written by capture()
    except Exception as exc:  # a truncated or foreign file: unpickling raises almost anything
        raise IncompatibleSnapshot(f"the file is not a snapshot this version can read ({type(exc).__name__})") from None
    if not isinstance(snapshot, dict):
        raise IncompatibleSnapshot("the file is not a snapshot this version can read")
    if snapshot.get("format") != FORMAT or snapshot.get("moto") != _moto_version():
        raise IncompatibleSnapshot(
            f"saved by moto {snapshot.get('moto')} (format {snapshot.get('format')}), this is moto {_moto_version()}"
        )
    for service, accounts in snapshot["services"].items():
        backends = get_backend(service)
        for name, value in snapshot["shared"].get(service, {}).items():
            setattr(backends, name, value)
        for account, regions in accounts.items():
            for region, attributes in regions.items():
                backends[account][region].__dict__.update(attributes)


def save(path: Path, data: bytes) -> None:
    """Write atomically: a crash mid-write leaves the previous snapshot, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
