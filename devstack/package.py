"""`python -m devstack package`: Chalice's deployment package with infra/template.json merged in, cfn-lint clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def package(stage: str, out: Path) -> Path:
    """Run `chalice package --merge-template infra/template.json`; return the path of the merged sam.json."""
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-south-1")}
    chalice = Path(sys.executable).parent / "chalice"
    subprocess.run(
        [str(chalice), "package", "--stage", stage, "--merge-template", "infra/template.json", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    template = out / "sam.json"
    data = json.loads(template.read_text())
    data.setdefault("Parameters", {}).setdefault("ResourcePrefix", {})["Default"] = f"bharatbiz-{stage}"
    template.write_text(json.dumps(data, indent=2))
    return template


def sqs_event_sources(template: dict) -> dict[str, dict]:
    """{function/event: properties} of every SQS event source in a packaged template."""
    out = {}
    for name, resource in template["Resources"].items():
        for event_name, event in (resource.get("Properties", {}).get("Events") or {}).items():
            if event.get("Type") == "SQS":
                out[f"{name}/{event_name}"] = event["Properties"]
    return out
