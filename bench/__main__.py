"""`python -m bench [SECTION ...] [--repeats N]`: run the benchmark sections."""

from __future__ import annotations

import argparse

from bench import diff, docs, generate, server, validate

SECTIONS = {"validate": validate.run, "generate": generate.run, "server": server.run, "diff": diff.run, "docs": docs.run}


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("sections", nargs="*", metavar="SECTION", help=f"any of {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    args = parser.parse_args()
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}")
    for section in args.sections or SECTIONS:
        SECTIONS[section](args.repeats)


if __name__ == "__main__":
    main()
