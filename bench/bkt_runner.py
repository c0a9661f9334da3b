"""Runs Waypoint's BKT engine on one train/test split and prints JSON; used by bkt_vs_pybkt.py.

Runs in Waypoint's own virtual environment, one process per configuration so that its peak
memory is its own. Reads the CSVs (not timed), then times, from in-memory columns:
``prepare`` + ``fit`` (end to end), ``predict_proba`` on the test rows (sorting included)
and the batch online update over the whole test stream. Writes the test predictions in
test-file row order to ``--out`` (.npy).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np


def read_columns(path: str, sep: str) -> dict[str, np.ndarray]:
    with open(path) as f:
        header = f.readline().strip().split(sep)
    names = {"skill_id": "skill", "skill_name": "skill", "user_id": "learner", "correct": "correct"}
    wanted = [i for i, name in enumerate(header) if name in names]
    try:
        table = np.loadtxt(path, delimiter=sep, skiprows=1, usecols=wanted, dtype=np.int64)
        cols = {names[header[i]]: table[:, j] for j, i in enumerate(wanted)}
    except ValueError:
        text = np.loadtxt(path, delimiter=sep, skiprows=1, usecols=wanted, dtype=str)
        cols = {names[header[i]]: text[:, j] for j, i in enumerate(wanted)}
        cols["correct"] = cols["correct"].astype(np.int64)
    return cols


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--sep", default="\t")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--forgetting", action="store_true")
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--tol", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--guess-cap", type=float, default=0.3)
    parser.add_argument("--slip-cap", type=float, default=0.3)
    parser.add_argument("--burn-in", type=int, default=3)
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from waypoint.engine.bkt import BKT, warm_up
    from waypoint.engine.data import prepare

    warm_up()  # loads the compiled kernels from numba's on-disk cache
    warm_up_s = time.perf_counter() - t0

    train = read_columns(args.train, args.sep)
    test = read_columns(args.test, args.sep)

    model = BKT(
        restarts=args.restarts,
        max_iter=args.max_iter,
        tol=args.tol,
        forgetting=args.forgetting,
        guess_cap=args.guess_cap,
        slip_cap=args.slip_cap,
        burn_in=args.burn_in,
        seed=args.seed,
        threads=args.threads,
    )
    # repeat (same seed: the same model) and keep the fastest, as the pyBKT side does
    fit_times: list[float] = []
    fit_cpu: list[float] = []
    predict_times: list[float] = []
    prepare_s = em_s = float("inf")
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        seqs = prepare(train["skill"], train["learner"], train["correct"])
        t1 = time.perf_counter()
        model.fit(seqs)
        t2 = time.perf_counter()
        fit_times.append(t2 - t0)
        fit_cpu.append(time.process_time() - c0)
        if t2 - t0 == min(fit_times):
            prepare_s, em_s = t1 - t0, t2 - t1
        t0 = time.perf_counter()
        preds = model.predict_proba(test)
        predict_times.append(time.perf_counter() - t0)
    predict_s = min(predict_times)
    np.save(args.out, preds)

    # batch online update: the whole test stream, one state per (learner, skill), in order
    key = test["learner"].astype(np.int64) * 1_000_003 + np.unique(
        test["skill"], return_inverse=True
    )[1].reshape(-1)
    _, index = np.unique(key, return_inverse=True)
    index = index.reshape(-1).astype(np.int64)
    n_states = int(index.max()) + 1
    reps, online_s = 0, 0.0
    while online_s < 0.5 or reps < 3:
        states = np.full(n_states, 0.3)
        t0 = time.perf_counter()
        model.update_states(states, index, test["skill"], test["correct"])
        online_s += time.perf_counter() - t0
        reps += 1

    report: dict[str, Any] = {
        "warm_up_s": warm_up_s,
        "prepare_s": prepare_s,
        "em_s": em_s,
        "fit_s": prepare_s + em_s,
        "fit_cpu_s": min(fit_cpu),
        "predict_s": predict_s,
        "fit_s_all": fit_times,
        "predict_s_all": predict_times,
        "n_train": int(seqs.n_obs),
        "n_skills": int(seqs.n_skills),
        "em_runs": int(seqs.n_skills * args.restarts),
        "em_iterations": int(model.total_iter_),
        "obs_iterations": int(model.obs_iter_),
        "online_updates_per_s": reps * len(index) / online_s,
        "online_stream_len": len(index),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": args.threads,
        "params": {str(k): v for k, v in model.params_.to_dict().items()},
        "default_params": dict(
            zip(
                ("prior", "learn", "forget", "guess", "slip"),
                map(float, model.default_params_),
                strict=True,
            )
        ),
    }
    Path(args.out).with_suffix(".json").write_text(json.dumps(report))
    print(json.dumps({k: v for k, v in report.items() if k != "params"}))


if __name__ == "__main__":
    main()
