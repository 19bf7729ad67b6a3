#!/usr/bin/env python3
"""The validation grid of adam-offset.md §9 (derivations/data/adam/validation-grid.md): one `compare --protocol adam`
run directory per (d, lr), its simulation against each of AdamBulk's offered models.

The simulation does not depend on the model, so it is trained once (compare with the default model); each model's
theory is then `phaseflow theory --finite-d-corrections --adam-lr LR --adam-bulk-model M` at each seed's n₊ (from
rows.csv) with compare's L = Kλd/2, averaged over the seeds as compare averages it. The default model's average must
reproduce compare.csv's *_theory columns (checked, printed on stderr as `recipe check`; the run's own model where it set one).

    python3 validation-grid-table.py .build/release/phaseflow RUN_DIR [RUN_DIR ...] > table.md
"""
import csv, io, json, math, subprocess, sys

MODELS = ["isotropic", "offsets", "preconditioned"]
KEYS = ["m", "q", "omega", "r"]
TAUS = [1.25, 1.5, 1.75]


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def student_t3_quantile(p):
    """Quantile of Student's t with 3 degrees of freedom (closed-form cdf, bisection)."""
    cdf = lambda t: 0.5 + (t / (math.sqrt(3) * (1 + t * t / 3)) + math.atan(t / math.sqrt(3))) / math.pi
    lo, hi = 0.0, 1e3
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < p else (lo, mid)
    return (lo + hi) / 2


def theory(phaseflow, settings, d, n_plus, model):
    steps, decay = int(settings["steps"]), float(settings["weight_decay"])
    penalty = steps * decay * d / 2
    args = [phaseflow, "theory", "--d", str(d), "--n", settings["n"], "--n-plus", str(n_plus), "--p", settings["p"],
            "--sigma", settings["sigma"], "--k", settings["k"], "--penalty-u", repr(penalty), "--penalty-w", repr(penalty),
            "--points", str(steps // 2), "--finite-d-corrections", "--adam-lr", settings["lr"], "--format", "csv"]
    args += ["--adam-bulk-model", model]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return {float(r["tau"]): r for r in csv.DictReader(io.StringIO(out))}


def main():
    phaseflow, directories = sys.argv[1], sys.argv[2:]
    print("| d | lr | τ | measured m | q | ω | r | model | m (z) | q (z) | ω (z) | r (z) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    verdicts = []
    for directory in directories:
        manifest = json.load(open(f"{directory}/manifest.json"))
        settings = {s["key"]: s["value"] for s in manifest["settings"]}
        n = int(settings["n"])
        raw = rows(f"{directory}/rows.csv")
        compared = rows(f"{directory}/compare.csv")
        seeds_of = {}
        for r in raw:
            seeds_of.setdefault(int(r["d"]), {})[r["seed"]] = round(float(r["n_plus_fraction"]) * n)
        for d in sorted(seeds_of):
            n_plus = list(seeds_of[d].values())
            cache = {(m, p): theory(phaseflow, settings, d, p, m) for m in MODELS for p in set(n_plus)}
            mean = lambda m, tau, key: sum(float(cache[(m, p)][tau][key]) for p in n_plus) / len(n_plus)
            measured = {float(r["tau"]): r for r in compared if int(r["d"]) == d}
            # These runs were made when isotropic was the default (a run names only a non-default model).
            run_model = settings.get("adam_bulk_model", "isotropic")
            check = max(abs(mean(run_model, tau, key) - float(measured[tau][key + "_theory"])) for tau in TAUS for key in KEYS)
            print(f"recipe check d = {d}: max |{run_model} average − compare.csv theory| = {check:.1e}; n₊ = {n_plus}", file=sys.stderr)
            for tau in TAUS:
                row = measured[tau]
                head = f"| {d} | {settings['lr']} | {tau} | " + " | ".join(
                    f"{float(row[k]):.5g} ± {float(row[k + '_se']):.2g}" for k in KEYS) + " |"
                for i, model in enumerate(MODELS):
                    cells = []
                    for k in KEYS:
                        value, se = mean(model, tau, k), float(row[k + "_se"])
                        cells.append(f"{value:.5g} ({(float(row[k]) - value) / se:+.1f})")
                    print((head if i == 0 else "| | | | | | | |") + f" {model} | " + " | ".join(cells) + " |")
                    if tau == 1.75:
                        z = max(abs((float(row[k]) - mean(model, tau, k)) / float(row[k + "_se"])) for k in KEYS)
                        verdicts.append((d, settings["lr"], model, z, len(n_plus)))
    print()
    print(r"| d | lr | model | max \|z\| at τ = 1.75 over m, q, ω, r | 95 % point | agrees |")
    print("|---|---|---|---|---|---|")
    for d, lr, model, z, seeds in verdicts:
        assert seeds == 4, "the 95 % point below is for 4 seeds (3 degrees of freedom)"
        threshold = student_t3_quantile(1 - (1 - 0.95 ** (1 / len(KEYS))) / 2)
        print(f"| {d} | {lr} | {model} | {z:.1f} | {threshold:.2f} | {'yes' if z < threshold else 'no'} |")


if __name__ == "__main__":
    main()
