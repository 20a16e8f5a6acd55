"""The deployable package, built once per session for the template and deploy checks."""

import pytest


@pytest.fixture(scope="session")
def packaged(tmp_path_factory):
    """`python -m devstack package --stage dev`: the merged sam.json (deployment.zip next to it)."""
    from devstack.package import package

    return package("dev", tmp_path_factory.mktemp("package"))
