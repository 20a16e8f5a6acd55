"""SSM Parameter Store read through Powertools Parameters: every parameter under a path, decrypted and cached."""

from __future__ import annotations

import threading

_providers: dict = {}
_lock = threading.Lock()


def _provider(endpoint_url: str | None, region: str):
    """One SSMProvider per endpoint and region for the life of the process, so its cache outlives a single read."""
    key = (endpoint_url, region)
    with _lock:
        if key not in _providers:
            import boto3
            from aws_lambda_powertools.utilities.parameters import SSMProvider
            from botocore.config import Config

            client = boto3.session.Session(region_name=region).client(
                "ssm",
                endpoint_url=endpoint_url,
                config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}),
            )
            _providers[key] = SSMProvider(boto3_client=client)
        return _providers[key]


def read_parameters(path: str, endpoint_url: str | None, region: str, max_age: int | None = None) -> dict[str, str]:
    """{NAME: value} of the parameters directly under ``path`` (SecureStrings decrypted), cached for ``max_age``
    seconds. Raises Powertools' GetParameterError when Parameter Store cannot be read."""
    from chalicelib.config import PARAMETERS_MAX_AGE_SECONDS

    provider = _provider(endpoint_url, region)
    values = provider.get_multiple(
        path.rstrip("/") or "/", max_age=max_age or PARAMETERS_MAX_AGE_SECONDS, decrypt=True, recursive=False
    )
    return {name.strip("/"): str(value) for name, value in values.items()}


def write_parameters(session, endpoint_url: str | None, path: str, values: dict[str, str], secrets) -> list[str]:
    """Put each value under ``path`` (secrets as SecureString, the rest as String), overwriting; return the names.
    Used by `devstack configure`, never by the functions (they may only read)."""
    ssm = session.client("ssm", endpoint_url=endpoint_url)
    written = []
    for name, value in values.items():
        ssm.put_parameter(
            Name=f"{path.rstrip('/')}/{name}",
            Value=value,
            Type="SecureString" if name in secrets else "String",
            Overwrite=True,
        )
        written.append(name)
    return written
