#!/usr/bin/env python3
"""Writes N (theta, x) pairs of a simple task as CSV (theta columns, then x; header row), the
input of `nsbi bench train` and ../shared/peer/torch_maf.py.

  make_pairs.py two_moons 10000 pairs.csv [--seed 0]
  make_pairs.py slcp 10000 pairs.csv
"""
import argparse, math
import numpy as np


def two_moons(n, rng):
    theta = rng.uniform(-1, 1, size=(n, 2))
    a = rng.uniform(-math.pi / 2, math.pi / 2, size=n)
    r = rng.normal(0.1, 0.01, size=n)
    p = np.stack([r * np.cos(a) + 0.25, r * np.sin(a)], 1)
    x = p + np.stack([-np.abs(theta[:, 0] + theta[:, 1]) / math.sqrt(2),
                      (-theta[:, 0] + theta[:, 1]) / math.sqrt(2)], 1)
    return theta, x


def slcp(n, rng):
    theta = rng.uniform(-3, 3, size=(n, 5))
    m = theta[:, :2]
    s1, s2 = theta[:, 2] ** 2, theta[:, 3] ** 2
    rho = np.tanh(theta[:, 4])
    cov = np.empty((n, 2, 2))
    cov[:, 0, 0] = s1 ** 2 + 1e-6
    cov[:, 1, 1] = s2 ** 2 + 1e-6
    cov[:, 0, 1] = cov[:, 1, 0] = rho * s1 * s2
    L = np.linalg.cholesky(cov)
    z = rng.normal(size=(n, 4, 2))
    pts = m[:, None, :] + np.einsum("nij,nkj->nki", L, z)
    return theta, pts.reshape(n, 8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=["two_moons", "slcp"])
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    theta, x = {"two_moons": two_moons, "slcp": slcp}[a.task](a.n, rng)
    d = np.concatenate([theta, x], 1)
    header = ",".join([f"theta_{i+1}" for i in range(theta.shape[1])] + [f"x_{i+1}" for i in range(x.shape[1])])
    np.savetxt(a.out, d, delimiter=",", header=header, comments="", fmt="%.17g")


if __name__ == "__main__":
    main()
