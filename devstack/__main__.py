"""`python -m devstack …`: run the local stack and talk to it as a customer, the owner or a tester."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading


def _print_messages(messages: list[dict], answering: str | None = None) -> None:
    """One JSON line per message; when a customer's message got no answer on WhatsApp, say so (on stderr), and where
    a send Meta refused is to be found, rather than print nothing."""
    from devstack.fake_graph import summarise

    for message in messages:
        print(json.dumps(summarise(message["payload"]) | {"to": message["to"]}, ensure_ascii=False))
    if answering and not messages:
        print(
            f"nothing reached {answering} on WhatsApp: handled without a reply, or the reply was refused by Meta"
            " (refused sends are on the owner's attention list: GET /owner/attention)",
            file=sys.stderr,
        )


def banner(info: dict, kept: str = "") -> str:
    """What `make run` prints once the stack is up: where everything is, and where the owner key is (never the key
    itself, nor any other secret)."""
    from devstack.stack import ROOT, STATE_FILE

    data = f"  data                        {kept} (`make reset` starts from nothing)\n" if kept else ""
    return (
        "\nBharat Biz local stack is up.\n"
        f"  app (webhook, owner pages)  {info['app_url']}\n"
        f"  fake WhatsApp Graph API     {info['graph_url']}\n"
        f"  AWS endpoint (emulator)     {info['aws_url']}\n"
        f"  resource prefix             {info['resource_prefix']}\n"
        f"  owner phone                 {info['owner_phone']}\n"
        f'  owner API key               in {STATE_FILE.relative_to(ROOT)} ("owner_api_key"), or $OWNER_API_KEY\n'
        f"{data}"
        "\nTry, in another terminal:\n"
        '  .venv/bin/python -m devstack send --from 919812345678 "20m blue cotton aur 6m red polyester"\n'
        "Ctrl-C stops everything.\n"
    )


def cmd_up(args) -> int:
    from devstack.emulator_state import IncompatibleSnapshot
    from devstack.stack import EMULATOR_STATE_FILE, Stack, StackConfig

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("werkzeug", "botocore", "urllib3", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.reset and EMULATOR_STATE_FILE.exists():
        EMULATOR_STATE_FILE.unlink()
        print(f"reset: deleted the kept data ({EMULATOR_STATE_FILE.relative_to(EMULATOR_STATE_FILE.parents[1])})")
    config = StackConfig(scheduler=not args.no_scheduler, emulator_state=EMULATOR_STATE_FILE)
    stack = Stack(config)
    try:
        stack.start()
    except IncompatibleSnapshot as exc:
        stack.stop()
        print(f"The kept data cannot be loaded ({exc}). `make reset` starts from nothing.", file=sys.stderr)
        return 2
    except OSError as exc:  # a port taken (another `make run`?), an emulator that could not start
        stack.stop()
        print(
            f"The local stack could not start: {exc}. Is another `make run` running? Stop it, or choose other ports"
            " with DEVSTACK_AWS_PORT, DEVSTACK_APP_PORT and DEVSTACK_GRAPH_PORT.",
            file=sys.stderr,
        )
        return 2
    info = stack.describe()
    kept = "the data kept by the last run" if stack.restored else "an empty stack with the sample stock"
    if config.aws_endpoint:
        kept = "an external AWS endpoint"
    print(banner(info, kept), flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    print("\nstopping…", flush=True)
    stack.stop()
    print("stopped.", flush=True)
    return 0


def _client():
    from devstack.client import Client

    return Client()


def cmd_send(args) -> int:
    _print_messages(_client().send(args.from_, args.text, timeout=args.timeout), answering=args.from_)
    return 0


def cmd_tap(args) -> int:
    _print_messages(_client().tap(args.from_, args.button_id, timeout=args.timeout), answering=args.from_)
    return 0


def cmd_outbox(args) -> int:
    _print_messages(_client().messages(to=args.to))
    return 0


def cmd_refuse(args) -> int:
    _client().refuse_sends(args.to, args.code, times=args.times, asynchronous=args.later)
    how = "accepted, then refused by a failed status webhook" if args.later else "refused at once"
    print(f"the next {args.times} send(s) to {args.to} will be {how} with code {args.code}")
    return 0


def cmd_extract(args) -> int:
    from devstack.extract import main

    argv = ([args.text] if args.text else []) + (["--jsonl"] if args.jsonl else [])
    return main(argv + (["--context", args.context] if args.context else []))


def cmd_llm_usage(args) -> int:
    from devstack.llm_usage import main

    return main(["--json"] if args.json else [])


def cmd_stock(args) -> int:
    from devstack.stock_cli import adjust, import_file, show

    if args.stock_command == "import":
        return import_file(args.file)
    if args.stock_command == "adjust":
        return adjust(args.batch_id, args.rolls, args.loose, args.reason, args.note)
    return show()


def cmd_schedule(args) -> int:
    from devstack.scheduler import run_now, scheduled_handlers
    from devstack.stock_cli import local_container

    if args.live:
        from chalicelib.config import load_settings
        from devstack.targets import announce_live

        s = load_settings()
        announce_live(
            f"running {args.name} with stage {s.stage}, prefix {s.resource_prefix}",
            aws=s.aws_endpoint_url,
            graph=s.whatsapp_api_base,
        )
    else:
        local_container()
    import app as app_module

    handlers = scheduled_handlers(app_module.app)
    if args.name not in handlers:
        print(f"no schedule named {args.name!r}; there are: {', '.join(sorted(handlers)) or 'none'}", file=sys.stderr)
        return 2
    print(json.dumps(run_now(args.name, handlers[args.name][1]), default=str))
    return 0


def cmd_provision(args) -> int:
    import os

    import boto3

    from devstack.emulator import FAKE_CREDENTIALS
    from devstack.provision import provision
    from devstack.targets import announce_live, require_local

    if args.live:
        announce_live(f"creating infra/template.json's resources with prefix {args.prefix}", aws=args.endpoint)
    else:
        require_local(endpoint=args.endpoint)
        for key, value in FAKE_CREDENTIALS.items():
            os.environ.setdefault(key, value)
    session = boto3.session.Session(region_name=os.environ.get("AWS_DEFAULT_REGION", "ap-south-1"))
    created = provision(session, args.endpoint, {"ResourcePrefix": args.prefix})
    print(json.dumps(created, indent=2))
    return 0


def cmd_demo(args) -> int:
    from devstack.demo import main

    return main()


def cmd_package(args) -> int:
    from pathlib import Path

    from devstack.package import package

    print(package(args.stage, Path(args.out)))
    return 0


def cmd_redrive(args) -> int:
    from devstack.redrive import main

    return main(args)


def cmd_configure(args) -> int:
    from pathlib import Path

    from devstack.configure import configure

    source = Path(args.source) if args.source else None
    return configure(args.stage, source, args.path, args.endpoint, interactive=not args.no_prompt)


def cmd_templates(args) -> int:
    from devstack.templates import cmd_templates as run

    return run(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="start the whole local stack (what `make run` does)")
    up.add_argument("--no-scheduler", action="store_true", help="do not run @app.schedule handlers on their own")
    up.add_argument(
        "--reset", action="store_true", help="forget the data kept by earlier runs (what `make reset` does)"
    )
    up.set_defaults(func=cmd_up)

    send = sub.add_parser("send", help="send a WhatsApp text as a customer and print the replies")
    send.add_argument("--from", dest="from_", required=True, help="the customer's WhatsApp number, e.g. 919812345678")
    send.add_argument("text")
    send.add_argument("--timeout", type=float, default=30)
    send.set_defaults(func=cmd_send)

    tap = sub.add_parser("tap", help="tap a reply button as a customer and print the replies")
    tap.add_argument("--from", dest="from_", required=True)
    tap.add_argument("button_id")
    tap.add_argument("--timeout", type=float, default=30)
    tap.set_defaults(func=cmd_tap)

    outbox = sub.add_parser("outbox", help="everything the stack sent on WhatsApp")
    outbox.add_argument("--to", help="only messages to this number")
    outbox.set_defaults(func=cmd_outbox)

    refuse = sub.add_parser("refuse", help="make the fake WhatsApp API refuse sends to a number, as Meta does")
    refuse.add_argument("--to", required=True, help="the recipient (phone or BSUID) whose messages Meta refuses")
    refuse.add_argument("--code", type=int, default=131026, help="Meta's error code (131026 undeliverable, 131047 …)")
    refuse.add_argument("--times", type=int, default=1, help="how many sends in a row are refused")
    refuse.add_argument("--later", action="store_true", help="accept first, refuse by a `failed` status webhook")
    refuse.set_defaults(func=cmd_refuse)

    extract = sub.add_parser("extract", help="print what the interpreter understands of a text (no stack needed)")
    extract.add_argument("text", nargs="?")
    extract.add_argument("--jsonl", action="store_true", help='read {"text": …} lines on stdin')
    extract.add_argument("--context", help='the order being discussed, as JSON: {"state": "negotiating", "lines": […]}')
    extract.set_defaults(func=cmd_extract)

    usage = sub.add_parser("llm-usage", help="how many typical messages need the LLM (no stack, no network)")
    usage.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    usage.set_defaults(func=cmd_llm_usage)

    stock = sub.add_parser("stock", help="the shop's stock on the local stack")
    stock_sub = stock.add_subparsers(dest="stock_command", required=True)
    stock_import = stock_sub.add_parser("import", help="import batches from a CSV file (all or nothing)")
    stock_import.add_argument("file")
    stock_sub.add_parser("show", help="batches and totals per material and colour")
    stock_adjust = stock_sub.add_parser("adjust", help="set a batch's counts after a stock-taking, damage or cut loss")
    stock_adjust.add_argument("batch_id")
    stock_adjust.add_argument("--rolls", type=int, required=True, help="whole rolls counted (with reserved cloth)")
    stock_adjust.add_argument("--loose", default="0", help="loose meters counted")
    stock_adjust.add_argument("--reason", required=True, choices=["count", "damage", "cut_loss", "correction"])
    stock_adjust.add_argument("--note")
    stock.set_defaults(func=cmd_stock)

    schedule = sub.add_parser("schedule", help="run a scheduled job now")
    schedule.add_argument("name")
    schedule.add_argument("--live", action="store_true", help="run against the configured (real) AWS and Graph API")
    schedule.set_defaults(func=cmd_schedule)

    prov = sub.add_parser("provision", help="create infra/template.json's resources on an endpoint (e.g. LocalStack)")
    prov.add_argument("--endpoint", default="http://127.0.0.1:4566")
    prov.add_argument("--prefix", default="bharatbiz-local")
    prov.add_argument("--live", action="store_true", help="allow an endpoint that is not on this machine")
    prov.set_defaults(func=cmd_provision)

    demo = sub.add_parser("demo", help="play a whole order on a fresh local stack (what `make demo` does)")
    demo.set_defaults(func=cmd_demo)

    pkg = sub.add_parser("package", help="chalice package with infra/template.json merged (for AWS)")
    pkg.add_argument("--stage", default="dev", choices=["dev", "prod"])
    pkg.add_argument("--out", default="build/package")
    pkg.set_defaults(func=cmd_package)

    red = sub.add_parser("redrive", help="move a dead-letter queue's messages back to their queue (replay)")
    red.add_argument("queue", help="the source queue's short name: inbound or approvals")
    red.add_argument("--aws", action="store_true", help="on AWS, through SQS StartMessageMoveTask")
    red.add_argument("--stage", default="dev", help="with --aws: the stage whose queues (bharatbiz-STAGE-…)")
    red.add_argument("--prefix", help="resource prefix (default: the running local stack's, or bharatbiz-STAGE)")
    red.add_argument("--endpoint", help="AWS endpoint (default: the running local stack's emulator)")
    red.set_defaults(func=cmd_redrive)

    conf = sub.add_parser("configure", help="write a stage's secrets and shop settings to SSM Parameter Store")
    conf.add_argument("--stage", required=True)
    conf.add_argument("--from", dest="source", help="a file of NAME=value lines (or a JSON object)")
    conf.add_argument("--path", help="parameter path (default /bharatbiz/STAGE, the template's SettingsPath)")
    conf.add_argument("--endpoint", help="AWS endpoint (LocalStack, the emulator); default: AWS itself")
    conf.add_argument("--no-prompt", action="store_true", help="write only what the file gives")
    conf.set_defaults(func=cmd_configure)

    templates = sub.add_parser("templates", help="WhatsApp message templates (chalicelib/templates)")
    templates_sub = templates.add_subparsers(dest="action", required=True)
    templates_sync = templates_sub.add_parser("sync", help="create or update them via /{waba_id}/message_templates")
    templates_sync.add_argument("--graph", help="Graph API base (default: the local fake)")
    templates_sync.add_argument("--waba-id")
    templates_sync.add_argument("--token")
    templates_sync.add_argument("--public-base-url", help="base of the Approve/Reject button URLs")
    templates_sync.add_argument("--document-handle", default="local-sample-document-handle")
    templates_sync.set_defaults(func=cmd_templates)

    args = parser.parse_args(argv)
    from devstack.client import StackNotRunning
    from devstack.targets import LeavesTheMachine

    try:
        return args.func(args)
    except LeavesTheMachine as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 2
    except StackNotRunning as exc:
        print(f"The local stack is not running ({exc}). Start it with `make run` in another terminal.", file=sys.stderr)
        return 3
    except TimeoutError as exc:
        print(f"No answer in time: {exc}", file=sys.stderr)
        return 4


if __name__ == "__main__":
    sys.exit(main())
