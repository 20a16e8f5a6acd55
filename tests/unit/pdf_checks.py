"""Reading PDFs back in tests: text (pdftotext), pixels (pdftoppm) and QR codes (zbarimg), skipped when missing."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed: apt-get install -y poppler-utils",
)
needs_zbar = pytest.mark.skipif(
    shutil.which("zbarimg") is None, reason="zbar-tools (zbarimg) is not installed: apt-get install -y zbar-tools"
)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return unicodedata.normalize("NFC", text)


def png_pages(pdf: bytes, tmp_path: Path, dpi: int = 150) -> list[Path]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")], check=True, timeout=60)
    return sorted(tmp_path.glob("page*.png"))


def qr_codes(png: Path) -> list[str]:
    """Every QR code zbarimg finds on the image, decoded."""
    done = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True, timeout=60)
    return [line for line in done.stdout.splitlines() if line.strip()]
