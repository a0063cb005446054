"""Where a month's time goes: process time per phase, and an A/B against another copy of the code.

    python experiments/phase_profile.py                                  # 10,000 households, 120 months
    python experiments/phase_profile.py --sizes 1000000 --steps 10
    python experiments/phase_profile.py --against /tmp/old-checkout --rounds 4

Each round runs the month's phases (``sim.model.PHASES``) one by one in a
fresh process and adds up each phase's process time. With ``--against DIR``
(another checkout, e.g. ``git worktree add /tmp/old-checkout <commit>``)
rounds alternate between that code and this, so both see the same machine
load; each figure is the minimum over rounds, the usual way to read timings
on a shared machine. Process time, one core: the model is single-threaded.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
from types import SimpleNamespace
sys.path.insert(0, {root!r})
from sim import HousingModel
from sim.errors import UserError
from sim.model import PHASES
try:
    model = HousingModel(rng={seed}, residents={size}, policy={policy!r})
except UserError as error:
    sys.exit(str(error))  # one sentence, no traceback
spent = {{name: 0.0 for name, _ in PHASES}}
spent["collect"] = 0.0
start = time.process_time()
for _ in range({steps}):
    model.month = SimpleNamespace()
    for name, phase in PHASES:
        clock = time.process_time()
        phase(model)
        spent[name] += time.process_time() - clock
    clock = time.process_time()
    model.datacollector.collect(model)
    spent["collect"] += time.process_time() - clock
spent["whole run"] = time.process_time() - start
print(json.dumps(spent))
"""


def one_round(root: Path, size: int, steps: int, policy: str, seed: int) -> dict[str, float]:
    code = CHILD.format(root=str(root), seed=seed, size=size, policy=policy, steps=steps)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    if output.returncode != 0:
        sys.exit(f"phase_profile stopped ({root}): {output.stderr.strip()}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000], help="numbers of households")
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--policy", default="co_production")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per tree; the minimum is reported")
    parser.add_argument("--against", type=Path, help="another checkout of the project to compare with, round by round")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.against is not None and not (args.against / "sim" / "model.py").is_file():
        parser.error(f"--against {args.against}: not a checkout of this project (no sim/model.py there)")

    trees = [("this", ROOT)] + ([("against", args.against.resolve())] if args.against else [])
    for size in args.sizes:
        runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in trees}
        for _ in range(args.rounds):
            for label, root in reversed(trees):
                runs[label].append(one_round(root, size, args.steps, args.policy, args.seed))
        best = {label: {name: min(r[name] for r in rounds) for name in rounds[0]} for label, rounds in runs.items()}
        names = sorted(best["this"], key=lambda name: -best["this"][name])
        print(f"\n{size} households, {args.steps} months, {args.policy}: ms per month (whole run in s), min of {args.rounds}")
        print(f"{'phase':16}" + "".join(f"{label:>12}" for label, _ in trees))
        for name in names:
            scale = 1.0 if name == "whole run" else 1000.0 / args.steps
            print(f"{name:16}" + "".join(f"{best[label].get(name, float('nan')) * scale:12.3f}" for label, _ in trees))


if __name__ == "__main__":
    main()
