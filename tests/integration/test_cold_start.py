"""Every Lambda imports app.py on a cold start: it must not pull in the PDF, Gemini or X-Ray libraries."""

import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ("fpdf", "google.genai", "google.generativeai", "aws_xray_sdk", "uharfbuzz")


def test_importing_the_app_loads_none_of_the_heavy_libraries():
    probe = f"import sys, app; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_first_webhook_and_worker_paths_still_do_not_load_them():
    probe = (
        "import sys, app, chalicelib.services.inbound, chalicelib.services.conversation, chalicelib.jobs.sqs, "
        "chalicelib.adapters.whatsapp, chalicelib.adapters.gemini, chalicelib.adapters.invoice_pdf; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
