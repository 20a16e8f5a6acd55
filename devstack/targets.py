"""Tooling never leaves the machine by accident: every devstack command targets the running local stack, and a
command that would reach a real Meta or AWS endpoint needs an explicit ``--live`` and says what it will do first."""

from __future__ import annotations

import ipaddress
import sys
from urllib.parse import urlsplit

LOCAL_NAMES = {"localhost", "localhost.localdomain", "host.docker.internal", "localstack"}


class LeavesTheMachine(RuntimeError):
    """A command would reach a non-local endpoint without ``--live``."""


def is_local(url: str | None) -> bool:
    """Whether ``url`` points at this machine (loopback, a private address or a local name such as LocalStack's)."""
    host = urlsplit(url or "").hostname
    if not host:
        return False
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def require_local(**urls: str | None) -> None:
    """Raise LeavesTheMachine naming every endpoint that is not on this machine."""
    remote = {name: url for name, url in urls.items() if url is not None and not is_local(url)}
    if remote:
        where = ", ".join(f"{name} {url}" for name, url in remote.items())
        raise LeavesTheMachine(
            f"this would reach {where}, which is not this machine; pass --live if that is what you mean"
        )


def announce_live(action: str, **urls: str | None) -> None:
    """Say, before doing it, what a --live command is about to do and where."""
    where = ", ".join(f"{name}={url or 'AWS default'}" for name, url in urls.items())
    print(f"--live: {action} against {where}", file=sys.stderr, flush=True)
