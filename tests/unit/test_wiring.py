"""The composition root only wires: use cases get named ports, adapters get their tables (python -O is checked in
tests/integration/test_optimised_mode.py)."""

import ast
from pathlib import Path

from chalicelib.bootstrap import Container
from chalicelib.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_no_use_case_imports_an_adapter_or_takes_the_container():
    for path in sorted((ROOT / "chalicelib" / "services").glob("*.py")):
        tree = ast.parse(path.read_text())
        imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if m.startswith("chalicelib.adapters") or m == "chalicelib.bootstrap"], path
        params = [
            a.arg for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) for a in n.args.kwonlyargs + n.args.args
        ]
        assert "container" not in params, path


def test_two_containers_bind_their_own_tables():
    one = Container(Settings(resource_prefix="shop-a", aws_endpoint_url="http://127.0.0.1:1"))
    two = Container(Settings(resource_prefix="shop-b", aws_endpoint_url="http://127.0.0.1:2"))

    assert one.tables.OrderRecord.Meta.table_name == "shop-a-orders"
    assert two.tables.OrderRecord.Meta.table_name == "shop-b-orders"
    assert (one.tables.BatchRecord.Meta.host, two.tables.BatchRecord.Meta.host) == (
        "http://127.0.0.1:1",
        "http://127.0.0.1:2",
    )
    assert one.tables.OrderRecord.by_state._model is one.tables.OrderRecord  # each index queries its own table
