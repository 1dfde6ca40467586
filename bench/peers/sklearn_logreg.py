#!/usr/bin/env python3
"""Peer for bench/classify.ts: scikit-learn LogisticRegression(max_iter=1000) on the same embeddings.

Reads raw little-endian files (row-major, no header): TRAIN_X float32 n*dims, TRAIN_Y int32 n,
TEST_X float32 m*dims, TEST_Y int32 m; fits with the defaults (C=1.0, lbfgs; multinomial for more
than two classes) and prints ONE JSON line: {"seconds", "cpu_seconds", "accuracy", "n_iter",
"sklearn", "threads", "repeats", "all_seconds"}. `seconds` is the wall time of fit() alone (reading
the files is not timed), the median over --repeats fits (default 1); `cpu_seconds` the median CPU
time over all threads. With --predictions-out the test predictions are
written as raw little-endian int32.

Usage: sklearn_logreg.py TRAIN_X TRAIN_Y TEST_X TEST_Y DIMS [--class-weight balanced]
                         [--max-iter 1000] [--repeats 1] [--predictions-out FILE]
"""
import argparse
import json
import sys
import time


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("train_x")
    p.add_argument("train_y")
    p.add_argument("test_x")
    p.add_argument("test_y")
    p.add_argument("dims", type=int)
    p.add_argument("--class-weight", default=None, choices=("balanced",))
    p.add_argument("--max-iter", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--predictions-out", default=None)
    a = p.parse_args()

    import numpy as np
    import sklearn
    from sklearn.linear_model import LogisticRegression

    def matrix(path: str) -> "np.ndarray":
        x = np.fromfile(path, dtype="<f4")
        if x.size % a.dims != 0:
            print(f"{path}: {x.size} float32 values is not a multiple of {a.dims}", file=sys.stderr)
            sys.exit(2)
        return x.reshape(-1, a.dims)

    x_train, x_test = matrix(a.train_x), matrix(a.test_x)
    y_train, y_test = np.fromfile(a.train_y, dtype="<i4"), np.fromfile(a.test_y, dtype="<i4")
    if len(y_train) != len(x_train) or len(y_test) != len(x_test):
        print("label and row counts differ", file=sys.stderr)
        return 2

    walls, cpus = [], []
    for _ in range(max(1, a.repeats)):
        model = LogisticRegression(max_iter=a.max_iter, class_weight=a.class_weight)
        t0 = time.perf_counter()
        c0 = time.process_time()
        model.fit(x_train, y_train)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    seconds = float(np.median(walls))
    cpu_seconds = float(np.median(cpus))
    predicted = model.predict(x_test)
    if a.predictions_out:
        predicted.astype("<i4").tofile(a.predictions_out)

    threads = None
    try:
        from threadpoolctl import threadpool_info

        threads = max((i.get("num_threads") or 0 for i in threadpool_info()), default=None)
    except Exception:
        pass
    print(json.dumps({
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "accuracy": float((predicted == y_test).mean()),
        "n_iter": int(np.max(model.n_iter_)),
        "sklearn": sklearn.__version__,
        "threads": threads,
        "repeats": len(walls),
        "all_seconds": walls,
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
