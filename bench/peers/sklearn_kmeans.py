#!/usr/bin/env python3
"""Peer for bench/cluster.ts: scikit-learn KMeans (or MiniBatchKMeans) on the same data.

Reads a raw little-endian float32 file of n*dims values (row-major, no header), fits, and prints
ONE JSON line: {"seconds", "cpu_seconds", "inertia", "iterations", "n_init", "algorithm", "threads",
"sklearn", "labels_file"}. `seconds` is the wall time of the fit alone (reading the file is not timed);
`cpu_seconds` its CPU time over all threads (a fairer view on a machine shared with other jobs). With --labels-out the
labels are written as raw little-endian int32.

Usage: sklearn_kmeans.py DATA N DIMS K SEED N_INIT [--max-iter 300] [--tol 1e-4]
                         [--algorithm lloyd|elkan] [--minibatch BATCH] [--labels-out FILE]
"""
import argparse
import json
import sys
import time


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("n", type=int)
    p.add_argument("dims", type=int)
    p.add_argument("k", type=int)
    p.add_argument("seed", type=int)
    p.add_argument("n_init", type=int)
    p.add_argument("--max-iter", type=int, default=300)
    p.add_argument("--tol", type=float, default=1e-4)
    p.add_argument("--algorithm", choices=("lloyd", "elkan"), default="lloyd", help="full KMeans algorithm")
    p.add_argument("--minibatch", type=int, default=0, help="batch size; 0 = full KMeans")
    p.add_argument("--labels-out", default=None)
    a = p.parse_args()

    import numpy as np
    import sklearn
    from sklearn.cluster import KMeans, MiniBatchKMeans

    x = np.fromfile(a.data, dtype="<f4")
    if x.size != a.n * a.dims:
        print(f"expected {a.n}*{a.dims}={a.n * a.dims} float32 values in {a.data}, got {x.size}", file=sys.stderr)
        return 2
    x = x.reshape(a.n, a.dims)

    if a.minibatch > 0:
        model = MiniBatchKMeans(n_clusters=a.k, n_init=a.n_init, random_state=a.seed, max_iter=a.max_iter,
                                tol=a.tol, batch_size=a.minibatch)
        algorithm = "minibatch"
    else:
        model = KMeans(n_clusters=a.k, n_init=a.n_init, random_state=a.seed, max_iter=a.max_iter, tol=a.tol,
                       algorithm=a.algorithm)
        algorithm = a.algorithm
    t0 = time.perf_counter()
    c0 = time.process_time()
    model.fit(x)
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0

    threads = None
    try:
        from threadpoolctl import threadpool_info
        threads = {i.get("internal_api", "?"): i.get("num_threads") for i in threadpool_info()}
    except Exception:  # threadpoolctl is optional for the report
        pass

    labels_file = None
    if a.labels_out:
        model.labels_.astype("<i4").tofile(a.labels_out)
        labels_file = a.labels_out
    print(json.dumps({
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "inertia": float(model.inertia_),
        "iterations": int(model.n_iter_),
        "n_init": a.n_init,
        "algorithm": algorithm,
        "threads": threads,
        "sklearn": sklearn.__version__,
        "labels_file": labels_file,
    }))
    return 0


def die_with_parent() -> None:
    """On Linux, end with the bench that started this (PR_SET_PDEATHSIG), even when it is SIGKILLed."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1


if __name__ == "__main__":
    die_with_parent()
    sys.exit(main())
