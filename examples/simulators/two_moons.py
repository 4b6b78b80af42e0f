#!/usr/bin/env python3
"""two_moons as an nsbi external simulator (persistent protocol, see README.md beside this file).

Reads one request per line on stdin:   <seed> <theta_1> <theta_2>
and answers one line on stdout:        <x_1> <x_2>

The task (sbibm two_moons, ../shared/sbibm/TASKS.md section 8):
    a ~ Uniform(-pi/2, pi/2),  r ~ N(0.1, 0.01^2)
    p = (r cos a + 0.25, r sin a)
    x = p + (-|theta_1 + theta_2| / sqrt(2), (-theta_1 + theta_2) / sqrt(2))
All randomness comes from numpy's generator seeded with the request's seed, so the same
(seed, theta) always gives the same x. Diagnostics go to stderr: stdout carries answers only.
"""
import sys

import numpy as np


def simulate(theta, rng):
    a = rng.uniform(-np.pi / 2, np.pi / 2)
    r = rng.normal(0.1, 0.01)
    p = np.array([r * np.cos(a) + 0.25, r * np.sin(a)])
    s = np.sqrt(2.0)
    return p + np.array([-abs(theta[0] + theta[1]) / s, (-theta[0] + theta[1]) / s])


def main():
    for line in sys.stdin:  # ends when nsbi closes stdin
        fields = line.split()
        if len(fields) != 3:
            sys.stderr.write(f"two_moons.py: expected '<seed> <theta_1> <theta_2>', got {line!r}\n")
            return 2
        seed = int(fields[0])
        theta = [float(v) for v in fields[1:]]
        x = simulate(theta, np.random.default_rng(seed))
        # repr(float) is the shortest text that reads back as the same double: full precision.
        sys.stdout.write(" ".join(repr(float(v)) for v in x) + "\n")
        sys.stdout.flush()  # the answer must leave now, not when a buffer fills
    return 0


if __name__ == "__main__":
    sys.exit(main())
