"""Where the embedded stack's memory goes as it serves traffic: memory readings (as `make bench` §5 takes them) after a
warm-up and after more messages, and which kinds of object grew in between. The emulator runs in this process
here (it has a process of its own in `make run` and `make bench`), so one census covers moto and the stack.

    .venv/bin/python benchmarks/memory_growth.py [--warm-up 500] [--messages 1500] [--customers 20]

Prints the process's memory (RSS), the emulator's stored data and the rest at both points, then the object types
(every object the garbage collector tracks, by module and class) whose count grew the most, with the growth in
bytes ``sys.getsizeof`` sees. Objects the collector does not track (strings, numbers, bytes) show only through the
objects holding them. Takes a few minutes; figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def census() -> tuple[Counter, Counter]:
    """(count, bytes) of every gc-tracked object, by ``module.class``."""
    gc.collect()
    counts, sizes = Counter(), Counter()
    for obj in gc.get_objects():
        kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
        counts[kind] += 1
        sizes[kind] += sys.getsizeof(obj)
    return counts, sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-up", type=int, default=500, help="messages before the first reading")
    parser.add_argument("--messages", type=int, default=1500, help="messages between the two readings")
    parser.add_argument("--customers", type=int, default=20)
    args = parser.parse_args(argv)

    logging.disable(logging.WARNING)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from benchmarks.bench import Invocations, bench_stack, instrument, throughput
    from devstack.client import Client
    from devstack.emulator_process import memory_reading

    # one process, so the census below sees moto's objects beside the stack's
    stack = bench_stack(emulator_in_process=True)
    invocations = Invocations()
    instrument(stack, invocations)
    client = Client(info=stack.describe())
    try:
        throughput(stack, client, invocations, args.customers, max(1, args.warm_up // args.customers))
        before = memory_reading()
        counts_before, sizes_before = census()
        throughput(stack, client, invocations, args.customers, max(1, args.messages // args.customers))
        after = memory_reading()
        counts_after, sizes_after = census()
    finally:
        stack.stop()

    for name, reading in (("after the warm-up", before), ("at the end", after)):
        print(
            f"{name:18s}: RSS {reading['rss']:.1f} MB = stored data {reading['stored']:.1f} MB"
            f" ({reading['items']} items) + the rest {reading['rest']:.1f} MB"
        )
    stored, rest = after["stored"] - before["stored"], after["rest"] - before["rest"]
    print(f"growth: stored data {stored:+.1f} MB, the rest {rest:+.1f} MB")
    print("object types that grew most (count, KB by getsizeof):")
    grown = Counter({kind: counts_after[kind] - counts_before[kind] for kind in counts_after})
    for kind, count in grown.most_common(15):
        if count > 0:
            print(f"  {count:+8d}  {(sizes_after[kind] - sizes_before[kind]) // 1024:+7d} KB  {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
