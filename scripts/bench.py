"""`make bench`: how many people Mitra serves, how fast, and at what cost over Rasa itself.

Simulated migrants (bench/people.py: km, romanized Khmer, th, en; greetings, rights
questions, the safety check with button answers, a few urgent messages) talk to the real
stack, the real bot included, through our fake Bot API (bench/telegram_load.py), at each
level of concurrent people. In the same run the same scripts go straight to the REST
channel of a reference bot (bench/reference: plain Rasa, one rule, one custom action), so
that Mitra's cost reads as a ratio of Rasa's own. Then one person has a long conversation
with each, to show how the cost of a turn changes with the length of the conversation.

Prints the tables and writes them to results/bench/bench.json; docs/benchmarks.md says how
to read them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import httpx
import redis

from bench.people import Script, Step, copied_lines, load_messages, long_conversation, scripts
from bench.processes import ProcessMonitor
from bench.reference.stack import MODEL as REFERENCE_MODEL
from bench.reference.stack import ReferenceStack
from bench.rest_load import RestPeople
from bench.stats import Summary, ratio
from bench.telegram_load import (
    LOST_AFTER, CpuClock, Outcome, RecordingTelegram, TelegramPeople,
)
from scripts.stack import Stack, free_port
from tests.fake_telegram.updates import group_chat

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "bench"
BOT_TOKEN = "1:bench"
ID_KEY = "bench-id-key"
STAFF = -1004000000004
PROCESSES = ("bot", "rasa", "actions", "redis")
LONG_CHAT_ID = 59_000_000


def arguments(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,10,50",
                        help="numbers of people talking at once (comma-separated; empty: none)")
    parser.add_argument("--seconds", type=float, default=30.0,
                        help="how long each level sends new messages")
    parser.add_argument("--think", default="0.5,1.5",
                        help="a person's pause between an answer and their next message (s)")
    parser.add_argument("--long-turns", type=int, default=200,
                        help="turns of the long conversation (0: none)")
    parser.add_argument("--long-think", type=float, default=0.1,
                        help="pause between the long conversation's turns (s)")
    parser.add_argument("--tracker-max-events", type=int, default=None,
                        help="MITRA_TRACKER_MAX_EVENTS for Rasa (0: whole trackers, as Rasa "
                             "keeps them, to compare)")
    parser.add_argument("--rasa-workers", type=int, default=os.cpu_count() or 1,
                        help="Rasa processes of each bot (MITRA_RASA_WORKERS for Mitra's, "
                             "SANIC_WORKERS for the reference's); default: one per CPU")
    parser.add_argument("--seed", type=int, default=6)
    return parser.parse_args(argv)


def machine() -> Dict[str, str]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpus": str(os.cpu_count()), "cpu": cpu, "memory": f"{memory_gb:.0f} GiB",
            "python": platform.python_version(), "load": " ".join(
                f"{x:.2f}" for x in os.getloadavg())}


def start_stacks(fake: RecordingTelegram):
    """Mitra's stack with the bot, and the reference bot's, started side by side: Rasa
    takes most of a minute to load a model, twice would be most of two."""
    ours = Stack(redis_url=f"redis://127.0.0.1:{free_port()}/0", rasa_port=free_port(),
                 action_port=free_port(), log_dir=OUT / "logs")
    reference = ReferenceStack(redis_url=f"redis://127.0.0.1:{free_port()}/0",
                               rasa_port=free_port(), action_port=free_port(),
                               log_dir=OUT / "logs" / "reference")
    failure: List[BaseException] = []

    def start_reference() -> None:
        try:
            reference.start()
        except BaseException as error:  # reported by the main thread
            failure.append(error)

    thread = threading.Thread(target=start_reference)
    thread.start()
    try:
        ours.start()
        ours.start_bot({
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_URL": fake.url,
            "TELEGRAM_FILE_URL": fake.file_url, "TELEGRAM_STAFF_CHAT_ID": str(STAFF),
            "TELEGRAM_WEBHOOK_URL": "", "MITRA_ID_KEY": ID_KEY,
            # Simulated people write faster than people do: no rate limit.
            "MITRA_RATE_LIMIT": "1000000",
        })
        fake.wait_until(lambda: fake.calls_of("getUpdates"), 60)
        thread.join()
        if failure:
            raise failure[0]
    except BaseException:
        thread.join()
        ours.stop()
        reference.stop()
        raise
    return ours, reference


def warm_up(people: TelegramPeople, reference: ReferenceStack) -> None:
    """One conversation per language before measuring: Rasa, the knowledge base's model
    and the bot load some things on first use."""
    rng = random.Random(0)
    for language, group in load_messages().items():
        warm = Script(language, None, [Step("say", group["greetings"][0]),
                                       Step("say", group["questions"][0])])
        people.converse(warm, rng, (0.0, 0.0))
        with httpx.Client(timeout=60) as client:
            RestPeople(reference.rasa_url, "warm").converse(client, warm, rng, (0.0, 0.0))


def tracker_events(redis_url: str, sender: str) -> int:
    from mitra import crypto, keys
    raw = redis.Redis.from_url(redis_url).get(keys.tracker(sender))
    return len(json.loads(crypto.decrypt(raw))["events"]) if raw else 0


def median_or_nan(values: List[float]) -> float:
    return statistics.median(values) if values else float("nan")


def divide(a: float, b: float) -> float:
    return a / b if b and b == b and a == a else float("nan")


def long_curve(outcomes: List[Outcome], control: List[Outcome],
               block: int = 20) -> Dict[str, object]:
    """Latency and CPU time (all of the bot's processes) of a long conversation's turns:
    the first ten against the last ten, the last ten against a new person's first ten
    (`control`, sent in turn with them), and by `block` turns."""
    def latency(items: List[Outcome]) -> float:
        values = [o.latency for o in items]
        return float("nan") if None in values else median_or_nan(values)

    def cpu(items: List[Outcome]) -> float:
        return median_or_nan([sum(o.cpu.values()) for o in items])

    first, last = outcomes[:10], outcomes[-10:]
    processes = sorted({name for o in outcomes for name in o.cpu})
    return {
        "cpu_by_process": {name: [median_or_nan([o.cpu.get(name, 0.0) for o in part])
                                  for part in (first, last)] for name in processes},
        "turns": len(outcomes), "lost": sum(o.latency is None for o in outcomes),
        "first_10": latency(first), "last_10": latency(last),
        "ratio": divide(latency(last), latency(first)),
        "cpu_first_10": cpu(first), "cpu_last_10": cpu(last),
        "cpu_ratio": divide(cpu(last), cpu(first)),
        "control_first_10": latency(control), "control_ratio": divide(latency(last), latency(control)),
        "cpu_control_first_10": cpu(control), "cpu_control_ratio": divide(cpu(last), cpu(control)),
        "curve": [latency([o for o in outcomes[i:i + block] if o.latency is not None])
                  for i in range(0, len(outcomes), block)],
        "cpu_curve": [cpu(outcomes[i:i + block]) for i in range(0, len(outcomes), block)],
    }


def ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1000:.0f}"


def print_load_table(rows: List[dict]) -> None:
    print("\nLoad (closed loop): latency in ms; slow = the bot's \"cannot answer right now\" "
          "notices; CPU = CPU ms per answered message; MB = peak resident memory")
    names = " ".join(f"{p:>7}" for p in PROCESSES)
    header = (f"{'people':>6} {'bot':9} {'msgs':>5} {'lost':>4} {'slow':>4} {'msg/s':>6} "
              f"{'median':>6} {'p95':>6} {'p99':>6} {'p95/ref':>7} | CPU {names} | MB {names}")
    print(header)
    print("-" * len(header))
    for row in rows:
        s, processes = row["summary"], row["processes"]
        rel = row.get("p95_ratio")
        answered = max(s["answered"], 1)
        cpu = " ".join(f"{processes[p]['cpu_seconds'] * 1000 / answered:>7.0f}"
                       if p in processes else f"{'-':>7}" for p in PROCESSES)
        mb = " ".join(f"{processes[p]['rss_mb']:>7.0f}" if p in processes else f"{'-':>7}"
                      for p in PROCESSES)
        print(f"{row['people']:>6} {row['bot']:9} {s['messages']:>5} {s['lost']:>4} "
              f"{s['notices']:>4} {s['throughput']:>6.2f} {ms(s['median']):>6} "
              f"{ms(s['p95']):>6} {ms(s['p99']):>6} {(f'{rel:.2f}x' if rel else ''):>7} "
              f"|     {cpu} |    {mb}")


def print_long_table(long: Dict[str, dict]) -> None:
    print("\nOne long conversation: medians in ms; CPU = CPU time of all the bot's processes "
          "per turn")
    for name, d in long.items():
        events = f"; tracker {d['events']} events at the end" if "events" in d else ""
        print(f"{name:9} {d['turns']} turns, lost {d['lost']}{events}")
        print(f"{'':9} turns 1-10 vs the last 10: latency {ms(d['first_10'])} -> "
              f"{ms(d['last_10'])} ({d['ratio']:.2f}x), CPU {ms(d['cpu_first_10'])} -> "
              f"{ms(d['cpu_last_10'])} ({d['cpu_ratio']:.2f}x)")
        print(f"{'':9} the last 10 vs a new person's first 10, in turn with them: latency "
              f"{ms(d['last_10'])} vs {ms(d['control_first_10'])} ({d['control_ratio']:.2f}x), "
              f"CPU {ms(d['cpu_last_10'])} vs {ms(d['cpu_control_first_10'])} "
              f"({d['cpu_control_ratio']:.2f}x)")
        print(f"{'':9} latency by 20 turns: {' '.join(ms(x) for x in d['curve'])}")
        print(f"{'':9} CPU by 20 turns:     {' '.join(ms(x) for x in d['cpu_curve'])}")


def run_levels(levels: List[int], args: argparse.Namespace, think: tuple,
               runners: Dict[str, object], monitor: ProcessMonitor) -> List[dict]:
    """Each level on each bot in turn, so that both see the same machine (other work on
    it comes and goes)."""
    rows: List[dict] = []
    for level in levels:
        for name, runner in runners.items():
            monitor.take()
            outcomes = runner.run_level(level, args.seconds, scripts(args.seed + level),
                                        think, args.seed)
            taken = monitor.take()
            rows.append({"people": level, "bot": name,
                         "summary": asdict(Summary.of(outcomes)),
                         "processes": {k.split(" ", 1)[1]: v for k, v in taken.items()
                                       if k.startswith(name + " ")}})
            s = rows[-1]["summary"]
            presses = sum(o.kind == "press" for o in outcomes)
            print(f"[bench] {name}, {level} at once: {s['messages']} messages "
                  f"({presses} button presses), p95 {ms(s['p95'])} ms, lost {s['lost']}",
                  flush=True)
        rows[-2]["p95_ratio"] = ratio(rows[-2]["summary"]["p95"], rows[-1]["summary"]["p95"])
    return rows


def talk_long(long, fresh, steps: List[Step], think: float,
              cpu: CpuClock) -> Tuple[List[Outcome], List[Outcome]]:
    """`long` says every step; during its last ten, `fresh` (a new person) says the first
    ten in turn with it, so both are timed under the same conditions."""
    outcomes: List[Outcome] = []
    control: List[Outcome] = []
    head = len(steps) - 10
    for i, step in enumerate(steps):
        if i >= head:
            control.append(fresh.turn(steps[i - head], cpu))
            time.sleep(think)
        outcomes.append(long.turn(step, cpu))
        time.sleep(think)
    return outcomes, control


def run_long(args: argparse.Namespace, people: TelegramPeople, rest: RestPeople,
             redis_url: str, monitor: ProcessMonitor) -> Dict[str, dict]:
    """One person, `--long-turns` turns, alone on each stack, with each turn's CPU time."""
    from mitra import keys
    steps = long_conversation(args.long_turns).steps

    def cpu_of(name: str) -> CpuClock:
        return lambda: {k: v for k, v in monitor.cpu().items() if k.startswith(name + " ")}

    long_chat = people.conversation(chat_id=LONG_CHAT_ID)
    outcomes, control = talk_long(long_chat, people.conversation(), steps, args.long_think,
                                  cpu_of("mitra"))
    long = {"mitra": {**long_curve(outcomes, control), "events": tracker_events(
        redis_url, keys.sender_id(LONG_CHAT_ID, key=ID_KEY))}}
    print(f"[bench] long conversation with mitra: {long['mitra']['ratio']:.2f}x", flush=True)
    with httpx.Client(timeout=LOST_AFTER) as client:
        outcomes, control = talk_long(rest.conversation(client, "km"),
                                      rest.conversation(client, "km"), steps,
                                      args.long_think, cpu_of("reference"))
    long["reference"] = long_curve(outcomes, control)
    return long


def main(argv: Optional[List[str]] = None) -> int:
    args = arguments(argv)
    copied = copied_lines()
    if copied:
        print("bench/messages.yml has lines from training or evaluation data:", *copied,
              sep="\n  ", file=sys.stderr)
        return 2
    if not REFERENCE_MODEL.exists():
        print(f"{REFERENCE_MODEL} is missing: `make bench` trains it", file=sys.stderr)
        return 2
    if args.tracker_max_events is not None:
        os.environ["MITRA_TRACKER_MAX_EVENTS"] = str(args.tracker_max_events)
    # Both stacks get as many Rasa processes (the stacks pass the environment on).
    os.environ["MITRA_RASA_WORKERS"] = os.environ["SANIC_WORKERS"] = str(args.rasa_workers)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    think = tuple(float(x) for x in args.think.split(","))
    started = time.monotonic()
    shutil.rmtree(OUT / "logs", ignore_errors=True)  # this run's logs only
    OUT.mkdir(parents=True, exist_ok=True)
    about = machine()
    print(f"[bench] {about['cpus']} CPUs ({about['cpu']}), {about['memory']}, "
          f"load average {about['load']}", flush=True)

    from bot.texts import cannot_answer_now
    from mitra.i18n import LANGUAGES
    notices = {cannot_answer_now(language) for language in LANGUAGES}

    fake = RecordingTelegram().start()
    fake.add_chat(group_chat(STAFF, "Hotline staff"))
    try:
        ours, reference = start_stacks(fake)
    except BaseException:
        fake.stop()
        raise
    ready = time.monotonic() - started
    print(f"[bench] both stacks up in {ready:.0f} s", flush=True)
    rows: List[dict] = []
    long: Dict[str, dict] = {}
    try:
        people = TelegramPeople(fake, ours.redis_url, ID_KEY, notices)
        rest = RestPeople(reference.rasa_url)
        warm_up(people, reference)
        pids = {f"{name} {p}": stack.processes[p].pid
                for name, stack in (("mitra", ours), ("reference", reference))
                for p in PROCESSES if p in stack.processes}
        monitor = ProcessMonitor(pids).start()
        rows = run_levels(levels, args, think, {"mitra": people, "reference": rest}, monitor)
        if args.long_turns:
            long = run_long(args, people, rest, ours.redis_url, monitor)
        monitor.stop()
        cards = len(fake.calls_of("sendMessage", chat_id=STAFF))
        print(f"[bench] messages to the staff group (case cards): {cards}", flush=True)
    finally:
        ours.stop()
        reference.stop()
        fake.stop()

    elapsed = time.monotonic() - started
    print(f"\nMitra through the fake Bot API, the reference bot on Rasa's REST channel; "
          f"{about['cpus']} CPUs, {about['cpu']}; MITRA_TRACKER_MAX_EVENTS="
          f"{os.environ.get('MITRA_TRACKER_MAX_EVENTS', '(default)')}; "
          f"{args.rasa_workers} Rasa worker(s) each; "
          f"{args.seconds:.0f} s per level, think {args.think} s")
    print_load_table(rows)
    if long:
        print_long_table(long)
    print(f"\n[bench] {elapsed:.0f} s in all, {ready:.0f} s of it starting up")
    (OUT / "bench.json").write_text(json.dumps({
        "machine": about, "arguments": vars(args), "startup_seconds": ready,
        "elapsed_seconds": elapsed, "load": rows, "long": long,
        "tracker_max_events": os.environ.get("MITRA_TRACKER_MAX_EVENTS"),
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
