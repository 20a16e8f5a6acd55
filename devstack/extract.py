"""`python -m devstack extract`: print what the deterministic interpreter reads in a message, as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from pydantic import ValidationError

from chalicelib.domain.catalogue import Vocabulary
from chalicelib.domain.interpretation import Context
from chalicelib.domain.interpreter import interpret

USAGE = """examples:
  python -m devstack extract "20m blue cotton aur 6m red polyester"
  python -m devstack extract --context '{"state": "negotiating", "lines": [{"number": 1, "material": "cotton",
      "color": "blue", "quantity": "20"}]}' "blue 15m kar do"
  printf '{"text": "bees meter neela suti"}\\n' | python -m devstack extract --jsonl
"""


def main(argv: list[str], stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0, or 2 for bad arguments)."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m devstack extract",
        description="Read WhatsApp order text with the deterministic interpreter (no AWS, no network).",
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("text", nargs="*", help="the message; several words are joined with spaces")
    parser.add_argument("--jsonl", action="store_true", help='read {"text": ..., "context": ...} lines on stdin')
    parser.add_argument("--context", help="the order on the table, as JSON (state and lines)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if not args.jsonl and not args.text:
        parser.print_usage(sys.stderr)
        return 2
    try:
        context = Context.model_validate_json(args.context) if args.context else None
    except ValidationError as exc:
        print(f"bad --context: {exc}", file=sys.stderr)
        return 2

    vocabulary = Vocabulary.from_seed()
    if not args.jsonl:
        _write(stdout, interpret(" ".join(args.text), vocabulary, context).to_json_dict())
        return 0
    for number, line in enumerate(stdin, start=1):
        if line.strip():
            _write(stdout, _extract_line(line, number, vocabulary, context))
    return 0


def _extract_line(line: str, number: int, vocabulary: Vocabulary, context: Context | None) -> dict[str, Any]:
    """One result for one input line; a line that cannot be read gives an error object instead."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"line {number} is not JSON: {exc.msg}", "line": number}
    if not isinstance(request, dict) or not isinstance(request.get("text"), str):
        return {"error": f'line {number} needs an object with a "text" string', "line": number}
    try:
        line_context = Context.model_validate(request["context"]) if request.get("context") else context
    except ValidationError as exc:
        return {"error": f"line {number} has a bad context: {exc.errors()[0]['msg']}", "line": number}
    return interpret(request["text"], vocabulary, line_context).to_json_dict()


def _write(stdout: IO[str], result: dict[str, Any]) -> None:
    stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
