#!/usr/bin/env python3
"""Merges planning benchmark outputs that cover different seeds of the same settings into one report.

Usage: python3 benchmarks/merge-planning.py [--any-settings] RUN1.txt RUN2.txt ... > planning.txt

Each input is the output of `dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- planning --seeds N
--first-seed K ...`. The output has one title for the union of the seeds, every input's command, every seed's block in
seed order, and the "Over N seeds: mean (worst seed)" summary recomputed from the per-seed rows in the benchmark's own
format (worst: highest for errors, lowest elsewhere), so benchmarks/headline.py reads it as it reads one run. The
per-seed rows are printed to 0.1 points, so a merged mean can differ from one run's in the last digit. Runs whose
titles or commands differ in anything but their seeds (panel size, channels, noise, plan days, --set overrides, epochs,
models) are refused; --any-settings merges them anyway, for runs whose overrides are known to equal another build's
defaults, and every command is printed so the reader sees what each seed ran with.
"""
import re
import sys

# The columns of a per-seed row, in order, with whether lower is better and how the summary prints them.
COLUMNS = [
    ("plan err", True, "pct1"), ("sign", False, "pct1"), ("no-path change", True, "pct2"), ("ROI rank", False, "f3"),
    ("gain median", False, "pct1"), ("p10", False, "pct1"), ("mediated share gap", True, "pct1"),
    ("pv-only share", False, "pct1"), ("pv->gmv", False, "f2"), ("fit", True, "f0"),
]
MODELS = ["CausalMMM", "Adstock+Hill+Ridge"]
HEADER = "model                plan err   sign   no-path chg  ROI rank  gain med  gain p10  med. share gap  pv-only share  pv->gmv   fit s"


def parse(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    if not lines:
        sys.exit(f"{path} is empty")
    title = lines[0]
    match = re.search(r"seeds (\d+)-(\d+)", title)
    if not match:
        sys.exit(f"{path}: line 1 is not a planning benchmark title: {title}")
    commands = [l for l in lines if l.startswith("command:")]
    blocks, current = {}, None
    for line in lines:
        seed = re.match(r"seed (\d+) \(", line)
        if seed:
            current = int(seed.group(1))
            blocks[current] = [line]
        elif line.startswith("Over "):
            current = None
        elif current is not None and line.strip():
            blocks[current].append(line)
    bars = next((l for l in lines if l.startswith("Bars")), None)
    return title, commands, blocks, bars


def row_values(line, model):
    """A per-seed row's ten figures as floats (NaN where the model has none), percentages as fractions."""
    tokens = line[len("  " + model):].split()
    if any(t.endswith("%") and t != "%" for t in tokens):
        sys.exit(f"the row was printed under a culture that joins the number and '%' (run the benchmark with the invariant culture): {line}")
    values, i = [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i + 1] == "%":
            values.append(float(tokens[i]) / 100)
            i += 2
        else:
            values.append(float("nan") if tokens[i] == "NaN" else float(tokens[i]))
            i += 1
    if len(values) != len(COLUMNS):
        sys.exit(f"cannot read {len(COLUMNS)} figures from the row: {line}")
    return values


def cell(values, lower_is_better, kind):
    finite = [v for v in values if v == v]
    if not finite:
        return "n/a"
    mean, worst = sum(finite) / len(finite), (max(finite) if lower_is_better else min(finite))
    form = {
        "pct1": lambda v: f"{100 * v:.1f} %", "pct2": lambda v: f"{100 * v:.2f} %", "f3": lambda v: f"{v:.3f}",
        "f2": lambda v: f"{v:.2f}", "f0": lambda v: f"{v:.0f}",
    }[kind]
    return f"{form(mean)} ({form(worst)})"


def summary(model, rows):
    parts = [f"{name} {cell([r[k] for r in rows], lower, kind)}" for k, (name, lower, kind) in enumerate(COLUMNS)]
    parts[-1] += " s"
    return f"{model:<19} " + ", ".join(parts)


def setting(title, commands):
    """A run's title and commands without the seeds they cover."""
    plain = [re.sub(r" --(first-seed|seeds) \d+", "", c) for c in commands]
    return "\n".join([re.sub(r"seeds \d+-\d+", "seeds", title), *plain])


def main():
    args = sys.argv[1:]
    any_settings = "--any-settings" in args
    paths = [a for a in args if a != "--any-settings"]
    if not paths:
        sys.exit(__doc__)
    runs = [parse(p) for p in paths]
    settings = {setting(t, c) for t, c, _, _ in runs}
    if len(settings) != 1 and not any_settings:
        sys.exit("the runs differ in more than their seeds (--any-settings merges them anyway):\n\n" + "\n\n".join(sorted(settings)))
    titles = {re.sub(r"seeds \d+-\d+", "seeds", t) for t, _, _, _ in runs}
    if len(titles) != 1:
        sys.exit("the runs' panels differ:\n" + "\n".join(sorted(titles)))
    blocks = {}
    for _, _, b, _ in runs:
        for seed, block in b.items():
            if seed in blocks:
                sys.exit(f"seed {seed} is in more than one run")
            blocks[seed] = block
    seeds = sorted(blocks)
    if seeds != list(range(seeds[0], seeds[-1] + 1)):
        sys.exit(f"the seeds are not consecutive: {seeds}")
    print(re.sub(r"seeds \d+-\d+", f"seeds {seeds[0]}-{seeds[-1]}", runs[0][0]))
    for _, commands, _, _ in runs:
        for c in commands:
            print(c)
    print(f"merged by benchmarks/merge-planning.py from {len(runs)} runs" + (" whose commands differ (--any-settings)" if len(settings) > 1 else ""))
    for seed in seeds:
        print()
        print("\n".join(blocks[seed]))
    print()
    print(f"Over {len(seeds)} seeds: mean (worst seed)")
    print(HEADER)
    for model in MODELS:
        rows = [row_values(l, model) for s in seeds for l in blocks[s] if l.startswith("  " + model + " ")]
        if rows and len(rows) != len(seeds):
            sys.exit(f"{model} has rows for {len(rows)} of the {len(seeds)} seeds")
        if rows:
            print(summary(model, rows))
    if runs[0][3]:
        print(runs[0][3])


if __name__ == "__main__":
    main()
