"""Knowledge base from the command line, against the Redis at REDIS_URL.

    python -m actions.knowledge validate FILE           check a .csv or .yml file, change nothing
    python -m actions.knowledge import FILE [--yes]     validate, show the diff, publish on confirm
    python -m actions.knowledge export FILE [--version N]   the live (or a kept) version as a file
    python -m actions.knowledge rollback [--to N] [--yes]   back to the previous (or a kept) version
    python -m actions.knowledge versions                the kept versions and which one is live

Exit codes: 0 done, 1 invalid file or nothing to do, 2 not confirmed, 3 Redis unreachable.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

import redis

from actions.knowledge import admin, store
from actions.knowledge.validate import validate_file


def _client() -> redis.Redis:
    from mitra.config import settings

    return redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        print("not confirmed: add --yes to run without a terminal", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def cmd_validate(args: argparse.Namespace) -> int:
    report = validate_file(args.file.read_bytes(), args.file.name)
    print(report.summary())
    return 0 if report.ok else 1


def cmd_import(args: argparse.Namespace) -> int:
    client = _client()
    checked = admin.preview(client, args.file.read_bytes(), args.file.name)
    print(checked.summary())
    if not checked.ok:
        return 1
    if checked.diff.empty and not args.force:
        print("nothing to publish (use --force to publish the same content again)")
        return 1
    if not _confirm("Publish this as the new version?", args.yes):
        return 2
    try:
        number = admin.publish(client, checked, author=args.author)
    except store.Conflict as error:
        print(f"not published: {error}; run the import again to see the new diff", file=sys.stderr)
        return 1
    print(f"version {number} is live; every action server uses it within seconds")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    data = admin.export(_client(), args.file.name, args.version)
    args.file.write_bytes(data)
    print(f"wrote {args.file}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    client = _client()
    live = store.current_version(client)
    target = f"version {args.to}" if args.to is not None else "the previous version"
    if not _confirm(f"Replace version {live} with {target}?", args.yes):
        return 2
    try:
        number = admin.rollback(client, args.to)
    except store.NothingToRollBack as error:
        print(f"nothing rolled back: {error}", file=sys.stderr)
        return 1
    print(f"version {number} is live again")
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    client = _client()
    live = store.current_version(client)
    for number in store.kept_versions(client):
        version = store.load(client, number)
        mark = "*" if number == live else " "
        print(f"{mark} {number:4d}  {version.published_at}  {len(version.entries):4d} entries  "
              f"{version.source} {version.author}".rstrip())
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.knowledge", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("validate", help="check a file, change nothing")
    p.add_argument("file", type=Path)
    p.set_defaults(run=cmd_validate)
    p = commands.add_parser("import", help="validate, show the diff, publish on confirm")
    p.add_argument("file", type=Path)
    p.add_argument("--yes", action="store_true", help="publish without asking")
    p.add_argument("--force", action="store_true", help="publish even if nothing changed")
    p.add_argument("--author", default="cli")
    p.set_defaults(run=cmd_import)
    p = commands.add_parser("export", help="write the live version to a .csv or .yml file")
    p.add_argument("file", type=Path)
    p.add_argument("--version", type=int)
    p.set_defaults(run=cmd_export)
    p = commands.add_parser("rollback", help="make the previous version live again")
    p.add_argument("--to", type=int, help="a kept version number instead of the previous one")
    p.add_argument("--yes", action="store_true")
    p.set_defaults(run=cmd_rollback)
    p = commands.add_parser("versions", help="list the kept versions")
    p.set_defaults(run=cmd_versions)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except redis.RedisError as error:
        print(f"Redis unreachable at REDIS_URL: {error}", file=sys.stderr)
        return 3
    except (LookupError, OSError) as error:
        print(str(error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
