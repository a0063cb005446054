"""Command-line entry: ``python run.py --help``."""

from sim.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
