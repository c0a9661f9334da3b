"""Runs pyBKT (C++ backend) on one train/test split and prints JSON; used by bkt_vs_pybkt.py.

This script runs inside pyBKT's own virtual environment (numpy<2, pandas<2.3), never in
Waypoint's, so it imports nothing from Waypoint. It reads the CSVs, fits, predicts the test
rows whose skill was seen in training (pyBKT's own best-effort 0.5 for the others), writes
the predictions in test-file row order to ``--out`` (.npy) and prints one JSON object with
timings, iteration counts, fitted parameters and where pyBKT's compiled modules came from.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time


def _read(path: str, sep: str, pd: object) -> object:
    df = pd.read_csv(path, sep=sep)  # type: ignore[attr-defined]
    if "skill_name" not in df.columns:
        df = df.rename(columns={"skill_id": "skill_name"})
    return df[["user_id", "skill_name", "correct"]].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--sep", default="\t")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--forgets", action="store_true")
    parser.add_argument("--num-fits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--budget", type=float, default=15.0, help="seconds of repeats")
    args = parser.parse_args()

    import numpy as np
    import pandas as pd
    import pyBKT
    from pyBKT.fit import E_step, EM_fit, predict_onestep_states
    from pyBKT.models import Model

    compiled = {
        "E_step": getattr(E_step, "__file__", ""),
        "predict_onestep_states": getattr(predict_onestep_states, "__file__", ""),
    }
    for name, path in compiled.items():
        if not path.endswith(".so"):
            sys.exit(f"pyBKT's {name} is not the compiled C++ module: {path!r}")

    # Count EM iterations and the observations they ran over, by wrapping (not changing)
    # pyBKT's EM_fit: its Model._fit discards the log-likelihood trace we need.
    work = {"iterations": 0, "obs_iterations": 0, "runs": 0}
    original_em_fit = EM_fit.EM_fit

    def counting_em_fit(model, data, *a, **kw):  # type: ignore[no-untyped-def]
        fitted, trace = original_em_fit(model, data, *a, **kw)
        n = len(trace)
        work["iterations"] += n
        work["obs_iterations"] += n * int(data["data"].shape[1])
        work["runs"] += 1
        return fitted, trace

    EM_fit.EM_fit = counting_em_fit

    train = _read(args.train, args.sep, pd)
    test = _read(args.test, args.sep, pd)
    train_skills = set(train["skill_name"].astype(str).unique())

    # Repeat fit + predict (same seed, so the same model) and keep the fastest, as the
    # Waypoint side does; stop repeating once the time budget is spent.
    seen = test["skill_name"].astype(str).isin(train_skills).to_numpy()
    fit_times: list[float] = []
    fit_cpu: list[float] = []
    predict_times: list[float] = []
    while len(fit_times) < args.repeats:
        model = Model(seed=args.seed, num_fits=args.num_fits, parallel=args.threads > 1)
        t0, c0 = time.perf_counter(), time.process_time()
        model.fit(data=train.copy(), forgets=args.forgets)
        fit_times.append(time.perf_counter() - t0)
        fit_cpu.append(time.process_time() - c0)
        EM_fit.EM_fit = original_em_fit  # count the work of the first fit only
        preds = np.full(len(test), 0.5)
        t0 = time.perf_counter()
        out = model.predict(data=test[seen].copy())
        predict_times.append(time.perf_counter() - t0)
        out = out.sort_index()
        preds[np.flatnonzero(seen)] = out["correct_predictions"].to_numpy()
        if sum(fit_times) + sum(predict_times) > args.budget:
            break
    fit_s = min(fit_times)
    predict_s = min(predict_times)
    np.save(args.out, preds)

    params = {}
    for skill, fm in model.fit_model.items():
        params[str(skill)] = {
            "prior": float(fm["prior"]),
            "learn": float(np.ravel(fm["learns"])[0]),
            "forget": float(np.ravel(fm["forgets"])[0]),
            "guess": float(np.ravel(fm["guesses"])[0]),
            "slip": float(np.ravel(fm["slips"])[0]),
        }
    print(
        json.dumps(
            {
                "fit_s": fit_s,
                "fit_cpu_s": min(fit_cpu),
                "predict_s": predict_s,
                "fit_s_all": fit_times,
                "predict_s_all": predict_times,
                "n_train": len(train),
                "n_test_predicted": int(seen.sum()),
                "em_runs": work["runs"],
                "em_iterations": work["iterations"],
                "obs_iterations": work["obs_iterations"],
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
                "parallel": args.threads > 1,
                "pybkt_version": getattr(pyBKT, "__version__", "1.4.3"),
                "numpy_version": np.__version__,
                "pandas_version": pd.__version__,
                "compiled_modules": compiled,
                "params": params,
            }
        )
    )


if __name__ == "__main__":
    main()
