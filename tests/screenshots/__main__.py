"""Capture the screenshots of the areas named (all when none): `python -m tests.screenshots`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.screenshots.areas import AREAS
from tests.screenshots.camera import shoot

ROOT = Path(__file__).resolve().parents[2]


def _parser() -> argparse.ArgumentParser:
    areas = "\n".join(f"  {key:<10} {area.summary}" for key, area in AREAS.items())
    parser = argparse.ArgumentParser(
        prog="python -m tests.screenshots",
        description="Screenshots of Headway's pages in Chromium, area by area.",
        epilog=f"areas:\n{areas}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("areas", nargs="*", metavar="AREA", help="areas to capture (default: all)")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "test-artifacts" / "screens",
        help="folder of the screenshots (default: test-artifacts/screens)",
    )
    parser.add_argument(
        "--readme", action="store_true", help="also write the docs/*.png the README and docs show"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    unknown = [key for key in args.areas if key not in AREAS]
    if unknown:
        parser.error(f"unknown area {', '.join(unknown)}; expected one of {', '.join(AREAS)}")
    problems = []
    for key in args.areas or list(AREAS):
        print(f"== {key}: {AREAS[key].summary}", flush=True)
        film = shoot(AREAS[key], out=args.out, docs=ROOT / "docs" if args.readme else None)
        problems += [f"{key}: {problem}" for problem in film.problems]
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
