"""Waypoint's student growth percentiles side by side with R's quantreg (``rq(method="br")``).

On ``../shared/data/sgp/sgpData.parquet`` (Reading, wide: ID, GRADE_<year>, SS_<year>) and
``sgpData_LONG.parquet`` (both subjects, long), every (subject, year, grade) with priors is
fitted on both sides with the same knots and boundaries (computed once by Waypoint from all
years, handed to R in a CSV): one model per number of consecutive priors (1–3), 100
quantiles, each learner's SGP from the model with the most priors. R gets the same panels
(one row per learner and model, written by this script) and fits them with ``rq(...,
method="br")`` on ``splines::bs`` bases, sorts and rounds the predicted quantiles and counts
those below the score, as the SGP package does. Agreement is counted per learner score.
R and quantreg come from Debian (``apt-get install -y r-base-core r-cran-quantreg``; the
script does this when ``Rscript`` or quantreg is missing and it runs as root). Writes
``bench/results/growth.json`` and the ``growth`` section of ``docs/benchmarks.md``.

    flock /tmp/waypoint-bench.lock .venv/bin/python bench/growth_vs_r.py   # a few minutes
    .venv/bin/python bench/growth_vs_r.py --render-only   # redraw the docs from the JSON
    .venv/bin/python bench/growth_vs_r.py --every 20      # quick check on 1 learner in 20
    .venv/bin/python bench/growth_vs_r.py --smoke         # CI: our engine only, a subset

Besides the SGPs, each model's 100 × p coefficients are compared with R's, and where they
differ, the check losses at every quantile (a different optimal vertex, or a worse fit).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from machine_info import base_machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from waypoint.engine import growth  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sgp"
RESULTS = ROOT / "bench" / "results" / "growth.json"
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- growth:start -->", "<!-- growth:end -->"
DATASETS = {
    "sgpData": "sgpData.parquet",
    "sgpData_LONG": "sgpData_LONG.parquet",
}

Long = dict[str, np.ndarray]

R_SCRIPT = r"""
suppressMessages(library(quantreg))
suppressMessages(library(splines))
args <- commandArgs(TRUE)
panel <- read.csv(args[1])
kb <- read.csv(args[2], stringsAsFactors = FALSE)
models <- read.csv(args[3], stringsAsFactors = FALSE)
taus <- (1:100 - 0.5) / 100
rows_by_model <- split(seq_len(nrow(panel)), panel$model)
started <- proc.time()[["elapsed"]]
cpu_started <- sum(proc.time()[c("user.self", "sys.self")])
fitting <- 0
out <- coef_out <- vector("list", nrow(models))
for (m in seq_len(nrow(models))) {
  info <- models[m, ]
  d <- panel[rows_by_model[[as.character(info$model)]], ]
  terms <- character()
  for (j in seq_len(info$k)) {
    row <- kb[kb$subject == info$subject & kb$grade == info$grade - j, ]
    assign(paste0("K", j), c(row$k1, row$k2, row$k3, row$k4))
    assign(paste0("B", j), c(row$lower, row$upper))
    terms <- c(terms, sprintf("bs(p%d, knots = K%d, Boundary.knots = B%d)", j, j, j))
  }
  f <- as.formula(paste("y ~", paste(terms, collapse = " + ")))
  fit_started <- proc.time()[["elapsed"]]
  coefs <- rq(f, tau = taus, data = d, method = "br")[["coefficients"]]
  fitting <- fitting + proc.time()[["elapsed"]] - fit_started
  fin <- d[d$final == 1, ]
  x <- cbind(1, do.call(cbind, lapply(seq_len(info$k), function(j)
    bs(fin[[paste0("p", j)]], knots = get(paste0("K", j)), Boundary.knots = get(paste0("B", j))))))
  pred <- round(t(apply(x %*% coefs, 1, sort)), 5)
  sgp <- pmin(pmax(rowSums(pred < fin$y), 1L), 99L)
  coef_out[[m]] <- data.frame(model = info$model, term = seq_len(nrow(coefs)), coefs)
  out[[m]] <- data.frame(id = fin$id, subject = info$subject, year = info$year,
                         grade = info$grade, priors = info$k, sgp = sgp)
}
elapsed <- proc.time()[["elapsed"]] - started
cpu <- sum(proc.time()[c("user.self", "sys.self")]) - cpu_started
write.csv(do.call(rbind, out), args[4], row.names = FALSE)
write.csv(do.call(rbind, coef_out), args[6], row.names = FALSE)
cat(sprintf("{\"fit_predict_s\": %.4f, \"rq_s\": %.4f, \"cpu_s\": %.4f, \"models\": %d}\n",
            elapsed, fitting, cpu, nrow(models)), file = args[5])
"""


def load_wide(path: Path) -> Long:
    """Wide SGP data (one row per learner, GRADE_<year> / SS_<year>) as long arrays."""
    table = pq.read_table(path).to_pydict()
    years = sorted(int(c.split("_", 1)[1]) for c in table if c.startswith("SS_"))
    ids = np.asarray(table["ID"], dtype=np.int64)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("learner", "year", "grade", "score")}
    for year in years:
        grade = np.asarray(table[f"GRADE_{year}"], dtype=np.float64)
        score = np.asarray(table[f"SS_{year}"], dtype=np.float64)
        keep = ~np.isnan(grade) & ~np.isnan(score)
        parts["learner"].append(ids[keep])
        parts["year"].append(np.full(int(keep.sum()), year, dtype=np.int64))
        parts["grade"].append(grade[keep].astype(np.int64))
        parts["score"].append(score[keep])
    out = {k: np.concatenate(v) for k, v in parts.items()}
    out["subject"] = np.full(out["learner"].shape[0], "READING")
    return out


def load_long(path: Path) -> Long:
    """Long SGP data; YEAR "2024_2025" becomes 2025 (the year the school year ends)."""
    columns = ["ID", "CONTENT_AREA", "YEAR", "GRADE", "SCALE_SCORE"]
    table = pq.read_table(path, columns=columns).to_pydict()
    return {
        "learner": np.asarray(table["ID"], dtype=np.int64),
        "subject": np.asarray(table["CONTENT_AREA"]).astype(str),
        "year": np.asarray([int(str(y)[-4:]) for y in table["YEAR"]], dtype=np.int64),
        "grade": np.asarray(table["GRADE"], dtype=np.int64),
        "score": np.asarray(
            [np.nan if s is None else s for s in table["SCALE_SCORE"]], dtype=np.float64
        ),
    }


def load(name: str) -> Long:
    path = DATA / DATASETS[name]
    if not path.exists():
        raise SystemExit(f"missing {path}: the SGP sample data belongs in {DATA}")
    return load_wide(path) if name == "sgpData" else load_long(path)


def r_versions() -> dict[str, str] | None:
    if shutil.which("Rscript") is None:
        return None
    probe = subprocess.run(
        [
            "Rscript",
            "-e",
            'cat(R.version$major, ".", R.version$minor, " ", '
            'as.character(packageVersion("quantreg")), sep="")',
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return None
    r, quantreg = probe.stdout.split()
    return {"r": r, "quantreg": quantreg}


def ensure_r() -> dict[str, str]:
    """R and quantreg versions, installing Debian's packages first if they are missing."""
    found = r_versions()
    if found is None:
        print("installing r-base-core and r-cran-quantreg from Debian…", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            [
                "apt-get",
                "install",
                "-y",
                "--no-install-recommends",
                "r-base-core",
                "r-cran-quantreg",
            ],
            check=True,
            env=env,
        )
        found = r_versions()
        if found is None:
            raise SystemExit("R or quantreg still missing after apt-get install")
    return found


def run_ours(
    data: Long, knots: dict[tuple[str, int], growth.KnotsBoundaries], threads: int
) -> tuple[growth.GrowthResult, float, float]:
    """The result, wall seconds and CPU seconds (every thread of this process)."""
    cpu_started = time.process_time()
    started = time.perf_counter()
    result = growth.growth_percentiles(
        data["learner"],
        data["subject"],
        data["year"],
        data["grade"],
        data["score"],
        knots=knots,
        threads=threads,
        keep_models=True,
    )
    return result, time.perf_counter() - started, time.process_time() - cpu_started


def warm_up() -> None:
    """Load the compiled kernels (numba's on-disk cache) before anything is timed."""
    rng = np.random.default_rng(0)
    n = 400
    ids = np.repeat(np.arange(n), 2)
    prior = rng.normal(500, 40, n).round()
    score = np.empty(2 * n)
    score[0::2], score[1::2] = prior, (prior * 0.9 + rng.normal(60, 20, n)).round()
    growth.growth_percentiles(
        ids, np.full(2 * n, "X"), np.tile([1, 2], n), np.tile([3, 4], n), score, threads=1
    )


def write_r_inputs(
    data: Long, knots: dict[tuple[str, int], growth.KnotsBoundaries], workdir: Path
) -> tuple[Path, Path, Path]:
    """The panels of every model (one row per learner and model), the knots and the models."""
    panel = growth.build_panel(
        data["learner"], data["subject"], data["year"], data["grade"], data["score"]
    )
    rows_path, knots_path, models_path = (
        workdir / "panel.csv",
        workdir / "knots.csv",
        workdir / "models.csv",
    )
    with knots_path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["subject", "grade", "k1", "k2", "k3", "k4", "lower", "upper"])
        for (subject, grade), kb in sorted(knots.items()):
            w.writerow([subject, grade, *map(repr, kb.knots), *map(repr, kb.boundaries)])
    current = np.flatnonzero(panel.depth > 0)
    groups = sorted(
        {(str(panel.subject[i]), int(panel.year[i]), int(panel.grade[i])) for i in current}
    )
    key_rows: dict[tuple[str, int, int], list[int]] = {g: [] for g in groups}
    for i in current:
        key_rows[(str(panel.subject[i]), int(panel.year[i]), int(panel.grade[i]))].append(int(i))
    model_id = 0
    with rows_path.open("w", newline="") as rf, models_path.open("w", newline="") as mf:
        rw, mw = csv.writer(rf), csv.writer(mf)
        rw.writerow(["model", "final", "id", "y", "p1", "p2", "p3"])
        mw.writerow(["model", "subject", "year", "grade", "k", "n"])
        for subject, year, grade in groups:
            rows = np.asarray(key_rows[(subject, year, grade)], dtype=np.int64)
            for k in range(1, int(panel.depth[rows].max()) + 1):
                members = rows[panel.depth[rows] >= k]
                if members.shape[0] <= 1 + 7 * k:
                    continue
                model_id += 1
                mw.writerow([model_id, subject, year, grade, k, members.shape[0]])
                priors = [
                    panel.score[panel.prior[members, j]]
                    if j < k
                    else np.full(members.shape, np.nan)
                    for j in range(3)
                ]
                final = (panel.depth[members] == k).astype(int)
                for r in range(members.shape[0]):
                    rw.writerow(
                        [
                            model_id,
                            final[r],
                            panel.learner[members[r]],
                            repr(float(panel.score[members[r]])),
                            *("NA" if np.isnan(p[r]) else repr(float(p[r])) for p in priors),
                        ]
                    )
    return rows_path, knots_path, models_path


def run_r(paths: tuple[Path, Path, Path], workdir: Path) -> dict[str, Any]:
    script = workdir / "growth.R"
    script.write_text(R_SCRIPT)
    out_csv, out_json = workdir / "r_sgp.csv", workdir / "r_time.json"
    out_coef = workdir / "r_coef.csv"
    started = time.perf_counter()
    subprocess.run(
        ["Rscript", str(script), *map(str, paths), str(out_csv), str(out_json), str(out_coef)],
        check=True,
    )
    wall = time.perf_counter() - started
    timing = json.loads(out_json.read_text())
    with out_csv.open() as f:
        rows = list(csv.DictReader(f))
    with paths[2].open() as f:
        model_key = {
            int(m["model"]): (m["subject"], int(m["year"]), int(m["grade"]), int(m["k"]))
            for m in csv.DictReader(f)
        }
    coefs: dict[tuple[str, int, int, int], list[list[float]]] = {}
    with out_coef.open() as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            coefs.setdefault(model_key[int(row[0])], []).append([float(v) for v in row[2:]])
    return {
        "coefficients": {key: np.asarray(v) for key, v in coefs.items()},
        "fit_predict_s": float(timing["fit_predict_s"]),
        "rq_s": float(timing["rq_s"]),
        "cpu_s": float(timing["cpu_s"]),
        "process_wall_s": wall,
        "models": int(timing["models"]),
        "sgp": {
            (int(r["id"]), r["subject"], int(r["year"])): (int(r["sgp"]), int(r["priors"]))
            for r in rows
        },
    }


def compare(
    result: growth.GrowthResult, r_sgp: dict[tuple[int, str, int], tuple[int, int]]
) -> dict[str, Any]:
    ours = {
        (int(i), str(s), int(y)): (int(g), int(k))
        for i, s, y, g, k in zip(
            result.learner, result.subject, result.year, result.sgp, result.priors, strict=True
        )
    }
    both = sorted(set(ours) & set(r_sgp))
    a = np.asarray([ours[k][0] for k in both])
    b = np.asarray([r_sgp[k][0] for k in both])
    diff = np.abs(a - b)
    same_priors = np.mean([ours[k][1] == r_sgp[k][1] for k in both])
    return {
        "compared": len(both),
        "only_waypoint": len(set(ours) - set(r_sgp)),
        "only_r": len(set(r_sgp) - set(ours)),
        "within_1": float(np.mean(diff <= 1)),
        "exact": float(np.mean(diff == 0)),
        "max_abs_diff": int(diff.max()) if diff.size else 0,
        "same_priors": float(same_priors),
        "mean_sgp_waypoint": float(a.mean()),
        "mean_sgp_r": float(b.mean()),
    }


def compare_coefficients(
    data: Long,
    knots: dict[tuple[str, int], growth.KnotsBoundaries],
    result: growth.GrowthResult,
    r_coef: dict[tuple[str, int, int, int], np.ndarray],
) -> dict[str, Any]:
    """Per model: the largest coefficient difference, and where they differ, whether ours
    reaches R's check loss at every quantile (different optimal vertices) or not."""
    panel = growth.build_panel(
        data["learner"], data["subject"], data["year"], data["grade"], data["score"]
    )
    diffs, worse = [], 0
    for m in result.models:
        key = (m.subject, m.year, m.grade, m.priors)
        theirs = r_coef.get(key)
        if theirs is None or theirs.shape != m.coefficients.shape:
            diffs.append(np.inf)
            continue
        diffs.append(float(np.max(np.abs(theirs - m.coefficients))))
        if diffs[-1] > 1e-6:
            x, y = growth.model_design(panel, knots, *key)
            for k, tau in enumerate(growth.TAUS):
                ours_loss, r_loss = (
                    float(np.sum(np.where(r >= 0, tau * r, (tau - 1) * r)))
                    for r in (y - x @ m.coefficients[:, k], y - x @ theirs[:, k])
                )
                worse += ours_loss > r_loss * (1 + 1e-9) + 1e-9
    arr = np.asarray(diffs)
    return {
        "models_compared": len(diffs),
        "models_coefficients_within_1e-6": int(np.sum(arr <= 1e-6)),
        "max_coefficient_diff": float(arr.max()) if arr.size else 0.0,
        "median_coefficient_diff": float(np.median(arr)) if arr.size else 0.0,
        "quantiles_with_higher_loss_than_r": int(worse),
    }


def bench_dataset(name: str, threads: list[int], workdir: Path, every: int = 1) -> dict[str, Any]:
    data = load(name)
    if every > 1:
        keep = data["learner"] % every == 0
        data = {k: v[keep] for k, v in data.items()}
    knots = growth.knots_boundaries(data["subject"], data["grade"], data["score"])
    runs = {}
    cpu = {}
    loads = {"waypoint": round(os.getloadavg()[0], 2)}
    result = None
    for t in threads:
        result, seconds, cpu[str(t)] = run_ours(data, knots, t)
        runs[str(t)] = seconds
        print(f"{name}: Waypoint {seconds:.2f} s on {t} thread(s)", flush=True)
    assert result is not None
    sub = workdir / name
    sub.mkdir()
    loads["r"] = round(os.getloadavg()[0], 2)
    r = run_r(write_r_inputs(data, knots, sub), sub)
    print(
        f"{name}: R {r['fit_predict_s']:.2f} s fitting and predicting "
        f"({r['process_wall_s']:.2f} s with start-up and reading)",
        flush=True,
    )
    agreement = compare(result, r.pop("sgp"))
    agreement.update(compare_coefficients(data, knots, result, r.pop("coefficients")))
    print(f"{name}: {agreement}", flush=True)
    return {
        "dataset": name,
        "file": DATASETS[name],
        "score_rows": int(np.sum(~np.isnan(data["score"]))),
        "learner_scores_with_sgp": len(result),
        "models": len(result.models),
        "by_priors": {str(k): int(np.sum(result.priors == k)) for k in (1, 2, 3)},
        "pivots": int(sum(m.pivots for m in result.models)),
        "waypoint_s": runs,
        "waypoint_cpu_s": cpu,
        "r": r,
        "load_average_before": loads,
        "agreement": agreement,
        "knots": [
            {"subject": s, "grade": g, "knots": list(kb.knots), "boundaries": list(kb.boundaries)}
            for (s, g), kb in sorted(knots.items())
        ],
    }


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def render(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        START,
        "## Student growth percentiles against R's quantreg (`bench/growth_vs_r.py`)",
        "",
        "Every (subject, year, grade) with consecutive priors, one model per number of priors "
        "(1–3), 100 quantiles, on both sides with the same knots and boundaries (20/40/60/80th "
        "percentiles and the range widened by 10% per subject and grade over all years, rounded "
        'to 3 decimals). R fits the same panels with `rq(..., method = "br")` on `splines::bs` '
        "bases, then sorts and rounds the predicted quantiles and counts those below the score, "
        "as the SGP package does. Waypoint's time is the whole `growth_percentiles` call from "
        "long arrays (linking priors, fitting, predicting); R's is its fitting and predicting "
        "loop only (CSV reading and R start-up excluded; given in brackets). "
        f"Measured {report['generated_at'][:10]}.",
        "",
        "| data | learner scores with an SGP | models | within ±1 of R | exact | "
        "Waypoint, 1 thread | R (with start-up) | R ÷ Waypoint |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for res in report["results"]:
        a, r = res["agreement"], res["r"]
        ours = res["waypoint_s"]["1"]
        lines.append(
            f"| `{res['file']}` | {a['compared']:,} | {res['models']} | {_pct(a['within_1'])} | "
            f"{_pct(a['exact'])} | {ours:.1f} s | {r['fit_predict_s']:.1f} s "
            f"({r['process_wall_s']:.1f} s) | {r['fit_predict_s'] / ours:.1f}× |"
        )
    extra = [
        f"`{res['file']}` {res['waypoint_s'][t]:.1f} s"
        for res in report["results"]
        for t in res["waypoint_s"]
        if t != "1"
    ]
    cpu = [
        f"`{res['file']}` Waypoint {res['waypoint_cpu_s']['1']:.1f} s, R {res['r']['cpu_s']:.1f} s "
        f"({res['r']['cpu_s'] / res['waypoint_cpu_s']['1']:.1f}×)"
        for res in report["results"]
        if "cpu_s" in res["r"] and "waypoint_cpu_s" in res
    ]
    lines += [""]
    if cpu:
        lines += [
            "CPU time (less sensitive than wall time to other jobs on a shared machine; "
            f"same runs): {'; '.join(cpu)}.",
            "",
        ]
    if extra:
        threads = sorted({t for res in report["results"] for t in res["waypoint_s"] if t != "1"})
        lines.append(
            f"Waypoint on {', '.join(threads)} threads (models spread over a thread pool): "
            f"{'; '.join(extra)}. R's quantreg uses one core."
        )
        lines.append("")
    for res in report["results"]:
        a = res["agreement"]
        lines.append(
            f"- `{res['file']}`: {res['score_rows']:,} scores; SGPs from 1/2/3 priors "
            f"{res['by_priors']['1']:,} / {res['by_priors']['2']:,} / {res['by_priors']['3']:,}; "
            f"largest difference {a['max_abs_diff']}; same number of priors for "
            f"{_pct(a['same_priors'])}; mean SGP {a['mean_sgp_waypoint']:.2f} (R "
            f"{a['mean_sgp_r']:.2f}); only on one side: {a['only_waypoint']} / {a['only_r']}"
            + (f"; R's `rq` calls alone {res['r']['rq_s']:.1f} s" if "rq_s" in res["r"] else "")
            + (
                f"; coefficients within 1e-6 of R's in {a['models_coefficients_within_1e-6']} of "
                f"{a['models_compared']} models (largest difference "
                f"{a['max_coefficient_diff']:.1e}; quantiles where our check loss is above R's: "
                f"{a['quantiles_with_higher_loss_than_r']})."
                if "models_compared" in a
                else "."
            )
        )
    t = report["targets"]
    if m["load_average_at_start"] > 1.0:
        before = "; ".join(
            f"`{res['file']}` Waypoint {res['load_average_before']['waypoint']}, "
            f"R {res['load_average_before']['r']}"
            for res in report["results"]
            if "load_average_before" in res
        )
        lines += [
            "",
            f"The machine was shared (1-minute load average {m['load_average_at_start']} at the "
            f"start on its {m['cores']} cores"
            + (f"; before each side: {before}" if before else "")
            + "): both sides' wall times are longer than on an idle machine, and they ran one "
            "after the other, so the ratio is indicative rather than exact.",
        ]
    lines += [
        "",
        f"Targets: at least 99% within ±1 — {'met' if t['agreement_met'] else 'missed'} "
        f"(lowest {_pct(t['lowest_within_1'])}); Waypoint at least as fast as R — "
        f"{'met' if t['speed_met'] else 'missed'} (smallest R ÷ Waypoint "
        f"{t['smallest_speedup']:.1f}×).",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; {m['os']}; 1-minute "
        f"load average {m['load_average_at_start']} when the run started; Python "
        f"{m['python']}, numpy {m['numpy']}, numba {m['numba']}; R {m['r']}, quantreg "
        f"{m['quantreg']}. Knots and boundaries used are in the JSON.",
        "",
        "Reproduce:",
        "",
        "```",
        *report["commands"],
        "```",
        "",
        "Raw numbers: `bench/results/growth.json`.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_docs(path: Path, section: str) -> None:
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section.rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def smoke() -> int:
    """Our engine only, on the long data's learners whose ID ends in 0 (about 1 in 10)."""
    data = load("sgpData_LONG")
    keep = data["learner"] % 10 == 0
    data = {k: v[keep] for k, v in data.items()}
    warm_up()
    knots = growth.knots_boundaries(data["subject"], data["grade"], data["score"])
    result, seconds, _ = run_ours(data, knots, 1)
    assert len(result) > 1000, len(result)
    assert result.sgp.min() >= 1 and result.sgp.max() <= 99
    assert set(np.unique(result.priors)) <= {1, 2, 3}
    assert abs(float(np.median(result.sgp)) - 50) <= 5, np.median(result.sgp)
    print(
        f"smoke ok: {len(result):,} SGPs from {len(result.models)} models in {seconds:.2f} s, "
        f"median {np.median(result.sgp):.0f}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="our engine only, a subset")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--threads", default="1,2", help="comma-separated; 1 is the headline")
    parser.add_argument(
        "--render-only", action="store_true", help=f"re-render the docs from {RESULTS.name}"
    )
    parser.add_argument(
        "--every",
        type=int,
        default=1,
        help="only learners whose ID is a multiple of this (a quick check; results to stdout)",
    )
    args = parser.parse_args(argv)
    if args.render_only:
        write_docs(DOCS, render(json.loads(RESULTS.read_text())))
        print(f"wrote {DOCS}")
        return 0
    if args.smoke:
        return smoke()
    threads = sorted({1, *(int(t) for t in args.threads.split(","))})
    versions = ensure_r()
    import numba

    machine = {**base_machine(), "numpy": np.__version__, "numba": numba.__version__, **versions}
    warm_up()
    with tempfile.TemporaryDirectory(prefix="waypoint-growth-") as tmp:
        results = [
            bench_dataset(n, threads, Path(tmp), args.every) for n in args.datasets.split(",")
        ]
    speedups = [r["r"]["fit_predict_s"] / r["waypoint_s"]["1"] for r in results]
    within = [r["agreement"]["within_1"] for r in results]
    report = {
        "benchmark": "growth",
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "commands": [
            "apt-get install -y r-base-core r-cran-quantreg   # the script does this if missing",
            "flock /tmp/waypoint-bench.lock .venv/bin/python bench/growth_vs_r.py",
        ],
        "results": results,
        "targets": {
            "lowest_within_1": min(within),
            "agreement_met": min(within) >= 0.99,
            "smallest_speedup": min(speedups),
            "speed_met": min(speedups) >= 1.0,
        },
    }
    if args.every > 1:
        print(json.dumps(report["targets"]))
        return 0
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    write_docs(DOCS, render(report))
    print(f"wrote {RESULTS} and {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
