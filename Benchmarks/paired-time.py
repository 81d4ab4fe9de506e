#!/usr/bin/env python3
"""Compares two builds of a command by whole-process time, in interleaved pairs.

Usage: Benchmarks/paired-time.py BINARY_A BINARY_B PAIRS ARG...
  e.g. Benchmarks/paired-time.py /tmp/vitrine-old .build-release-static/release/vitrine 150 \\
           render ../shared/meshes/public/converted_stl/conv_cjt_ogre.stl -o /tmp/out.png

Runs A and B alternately (the order flips every pair) after three warm-ups each, each from
posix_spawn to waitpid with output discarded, and prints both medians and the median of the
per-pair ratios B/A. On a virtual machine whose speed drifts from second to second, the paired
ratio resolves differences of a few percent that separate hyperfine runs of A and B do not
(the same binary as A and B gave 1.011 over 150 pairs here).
"""
import os
import statistics
import sys
import time


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    a, b, pairs, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    quiet = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]

    def once(binary: str) -> float:
        start = time.perf_counter_ns()
        pid = os.posix_spawn(binary, [binary] + args, os.environ, file_actions=quiet)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            sys.exit(f"{binary} failed (wait status {status})")
        return (time.perf_counter_ns() - start) / 1e6

    for _ in range(3):
        once(a)
        once(b)
    times_a, times_b, ratios = [], [], []
    for i in range(pairs):
        if i % 2:
            x, y = once(a), once(b)
        else:
            y, x = once(b), once(a)
        times_a.append(x)
        times_b.append(y)
        ratios.append(y / x)
    print(f"A median {statistics.median(times_a):.2f} ms, B median {statistics.median(times_b):.2f} ms, "
          f"paired B/A median {statistics.median(ratios):.3f} (mean {statistics.mean(ratios):.3f}), {pairs} pairs")


if __name__ == "__main__":
    main()
