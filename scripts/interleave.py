#!/usr/bin/env python3
"""Whole-process timings taken in turns: every command once per round, the order reversed
every other round, so that a machine whose speed drifts (a shared VM) slows every command
alike. Prints the median wall and CPU time (user + system, of the process and its threads)
of each command and its ratio to the first one's.

hyperfine runs one command's runs back to back; on this project's two-vCPU VM the same
command moved by 15-25% between hyperfine runs minutes apart, and a command measured a
minute later than its baseline could gain or lose that much. Taking turns removes the drift
from the ratios (BENCHMARKS.md §7e).

    scripts/interleave.py --rounds 21 -- 'python3 scripts/prowler_check.py F' 'cwpattern check --batch F --brief'

Commands are split as a shell would split them (`shlex`) and run without a shell (whose own
CPU time would count), standard output discarded; each is run once before the rounds (a
warm-up). Standard library only.
"""

import argparse
import resource
import shlex
import statistics
import subprocess
import time


def run(command):
    """Wall and CPU seconds of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--names", help="comma-separated names for the commands (default: the commands)")
    ap.add_argument("commands", nargs="+")
    args = ap.parse_args()
    names = args.names.split(",") if args.names else args.commands
    if len(names) != len(args.commands):
        ap.error("--names needs one name per command")
    walls = {n: [] for n in names}
    cpus = {n: [] for n in names}
    pairs = [(name, shlex.split(command)) for name, command in zip(names, args.commands)]
    for _, command in pairs:
        run(command)
    for r in range(args.rounds):
        for name, command in pairs if r % 2 == 0 else pairs[::-1]:
            wall, cpu = run(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base_wall = statistics.median(walls[names[0]])
    base_cpu = statistics.median(cpus[names[0]])
    print(f"| command ({args.rounds} rounds, in turns) | median wall ms | median CPU ms | "
          f"{names[0]}/command (wall) | (CPU) |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(f"| {name} | {wall * 1000:.1f} | {cpu * 1000:.1f} | {base_wall / wall:.2f}x | "
              f"{base_cpu / cpu:.2f}x |")


if __name__ == "__main__":
    main()
