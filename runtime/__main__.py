"""`python -m runtime`: run a microflow without the server, or export one with its callees.

    python -m runtime run flow.json --input '{"x": 1}' [--connections conn.json] [--trace]
    python -m runtime export credit-check -o credit-check.bundle.json     (needs the project)

`run` prints {"status", "output", "error"} as JSON and exits 0 when the run succeeded,
1 when it failed, 2 when the file, the flow or the input is not acceptable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

EXIT_FAILED = 1
EXIT_UNUSABLE = 2


def _print(body: Any, stream=None) -> None:
    (stream or sys.stdout).write(json.dumps(body, indent=2, ensure_ascii=False, default=str) + "\n")


def _unusable(code: str, message: str, details: list | None = None) -> int:
    _print({"status": "invalid", "error": {"code": code, "message": message, "details": details or []}})
    return EXIT_UNUSABLE


def _json_argument(raw: str | None, what: str) -> Any:
    if raw is None:
        return None
    if raw.startswith("@"):
        with open(raw[1:], encoding="utf-8") as handle:
            return json.load(handle)
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{what} is not valid JSON: {exc}") from None


def command_run(args: argparse.Namespace) -> int:
    from runtime.bundle import InvalidBundle
    from runtime.definition import InvalidFlow
    from runtime.embed import Library
    from runtime.params import InvalidInput

    try:
        given = _json_argument(args.input, "--input")
        connections = _json_argument(f"@{args.connections}" if args.connections else None, "--connections") or {}
        library = Library.from_file(args.flow, connections=connections)
    except (OSError, ValueError, InvalidBundle) as exc:
        return _unusable("invalid_file", str(exc))
    except InvalidFlow as exc:
        return _unusable("invalid_flow", "the flow does not compile", exc.details)
    try:
        result = library.run(args.name, given)
    except LookupError as exc:
        return _unusable("unknown_microflow", f"there is no microflow named {exc.args[0]!r} in the file")
    except InvalidInput as exc:
        return _unusable("invalid_input", "the input does not fit the params", exc.details)
    _print(result.as_dict(trace=args.trace))
    return 0 if result.succeeded else EXIT_FAILED


def command_export(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneweb.settings")
    import django

    django.setup()
    from integrations.export import export_microflow

    try:
        data = export_microflow(args.name)
    except LookupError as exc:
        return _unusable("unknown_microflow", f"there is no microflow named {exc.args[0]!r}")
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    else:
        _print(data)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime", description="Run OneWeb microflows without the server.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a microflow (or a bundle's main microflow) from a JSON file")
    run.add_argument("flow", help="a microflow definition or a bundle (.json)")
    run.add_argument("--input", help="the input as JSON, or @file.json")
    run.add_argument("--name", help="which microflow of a bundle to run (default: its main one)")
    run.add_argument("--connections", help="a JSON file: {name: {kind, config, secrets}}")
    run.add_argument("--trace", action="store_true", help="include the per-node trace")
    run.set_defaults(handler=command_run)
    export = commands.add_parser("export", help="write a stored microflow and all it calls to one file")
    export.add_argument("name")
    export.add_argument("-o", "--output", help="the file to write (default: standard output)")
    export.set_defaults(handler=command_export)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
