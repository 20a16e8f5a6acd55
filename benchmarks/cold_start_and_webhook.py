"""Benchmark: what a cold Lambda pays to import app.py, and how fast the webhook answers on the local stack.

Prints figures; asserts nothing (shared machines are noisy — compare ratios measured in one run).
Run: .venv/bin/python benchmarks/cold_start_and_webhook.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def import_seconds(statement: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", f"import time; t=time.perf_counter(); {statement}; print(time.perf_counter()-t)"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout.strip()))
    return statistics.median(times)


def main() -> int:
    print("cold import (median of 5 fresh interpreters):")
    app = import_seconds("import app")
    rows = [
        ("import app", app),
        (
            "import app + first webhook's modules (pydantic, pynamodb, boto3)",
            import_seconds("import app, chalicelib.services.inbound, chalicelib.adapters.dynamo_repos, boto3"),
        ),
        (
            "import fpdf + uharfbuzz (only the approvals worker, on first invoice)",
            import_seconds("import fpdf, uharfbuzz"),
        ),
        (
            "import google.genai (only on the first uncertain message with a key)",
            import_seconds("from google import genai"),
        ),
    ]
    for name, seconds in rows:
        print(f"  {seconds * 1000:8.1f} ms  {name}  ({seconds / app:.1f}x import app)")
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, app; print([m for m in ('fpdf','google.genai','aws_xray_sdk','uharfbuzz',"
            "'pynamodb','boto3') if m in sys.modules])",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"  heavy modules loaded by `import app`: {heavy}")

    from benchmarks.bench import bench_stack
    from devstack.client import Client, new_wamid, text_webhook

    stack = bench_stack(status_callbacks=False)
    try:
        client = Client(info=stack.describe())
        latencies = []
        for i in range(60):
            body = json.dumps(text_webhook(f"9190000{i:05d}", "hello", new_wamid())).encode()
            t = time.perf_counter()
            status, _ = client.post_webhook(body)
            latencies.append(time.perf_counter() - t)
            assert status == 200
        latencies.sort()
        print("\nPOST /webhook on the local stack (verify, conditional put, enqueue; 60 requests, warm):")
        print(
            f"  p50 {latencies[29] * 1000:.1f} ms   p95 {latencies[56] * 1000:.1f} ms"
            f"   max {latencies[-1] * 1000:.1f} ms"
        )
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
