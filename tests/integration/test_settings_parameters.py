"""A stage's settings live in SSM Parameter Store: `devstack configure` writes them (secrets as SecureString), the
functions read them through Powertools Parameters."""

import uuid

import pytest

from chalicelib.config import REQUIRED, SECRETS, load_settings, read_values
from tests.unit.test_settings import COMPLETE

pytestmark = pytest.mark.integration


def _environment(aws, path):
    return {"STAGE": "dev", "SETTINGS_PATH": path, "AWS_ENDPOINT_URL": aws.url, "AWS_REGION": "ap-south-1"}


def test_configure_writes_secrets_as_secure_strings_and_the_functions_read_every_setting(aws, tmp_path, capsys):
    from devstack.configure import configure

    path = f"/bbtest-{uuid.uuid4().hex[:8]}"
    source = tmp_path / "dev.env"
    source.write_text("\n".join(f"{k}={v}" for k, v in COMPLETE.items() if k != "STAGE") + "\n")

    assert configure("dev", source, path, aws.url, interactive=False) == 0

    printed = capsys.readouterr()
    assert "secret-51aa" not in printed.out + printed.err  # names only, never values
    ssm = aws.session.client("ssm", endpoint_url=aws.url)
    types = {p["Name"].rsplit("/", 1)[1]: p["Type"] for p in ssm.get_parameters_by_path(Path=path)["Parameters"]}
    assert {name for name, kind in types.items() if kind == "SecureString"} == set(SECRETS) & set(types)
    settings = load_settings(read_values(_environment(aws, path)))
    assert settings.missing() == []
    assert settings.whatsapp_app_secret == "secret-51aa"
    assert settings.supplier["gstin"] == "24ABCDE1234F1Z5"
    assert settings.public_base_url == COMPLETE["PUBLIC_BASE_URL"]


def test_configure_prompts_for_what_the_file_leaves_out_and_says_what_is_still_missing(aws, tmp_path, capsys):
    from devstack import configure as cli

    path = f"/bbtest-{uuid.uuid4().hex[:8]}"
    asked_openly, asked_secretly = [], []

    def ask(prompt):
        asked_openly.append(prompt.split(" ")[0])
        return "Shree Ganesh Textiles" if prompt.startswith("SUPPLIER_NAME") else ""

    def ask_secret(prompt):
        asked_secretly.append(prompt.split(" ")[0])
        return "owner-key-77" if prompt.startswith("OWNER_API_KEY") else ""

    values = cli.collect({"SUPPLIER_GSTIN": "24ABCDE1234F1Z5"}, True, ask=ask, ask_secret=ask_secret)
    assert values == {"SUPPLIER_GSTIN": "24ABCDE1234F1Z5", "SUPPLIER_NAME": "Shree Ganesh Textiles",
                      "OWNER_API_KEY": "owner-key-77"}  # fmt: skip
    assert set(asked_secretly) == set(SECRETS)  # every secret without echo, nothing else
    assert "SUPPLIER_GSTIN" not in asked_openly

    from chalicelib.adapters.parameters import write_parameters

    write_parameters(aws.session, aws.url, path, values, SECRETS)
    missing = cli.missing_under("dev", path, aws.url, "ap-south-1")
    assert missing == [n for n in REQUIRED if n not in values]


def test_unreadable_parameters_count_as_missing_rather_than_failing_the_function(aws):
    environment = _environment(aws, "/bbtest-unreadable") | {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}

    settings = load_settings(read_values(environment))

    assert settings.missing() == list(REQUIRED)
