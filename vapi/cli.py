"""The `vapi` command."""

from __future__ import annotations

import argparse
import sys

from vapi import __version__


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vapi",
        description="A virtual Kubernetes API server for edge multi-cluster computing.",
    )
    p.add_argument("--version", action="version", version=f"vapi {__version__}")
    p.add_subparsers(dest="command", metavar="COMMAND")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help(sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
