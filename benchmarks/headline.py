#!/usr/bin/env python3
"""Writes the README's generated headline rows from the outputs of the runs benchmarks/report.sh makes.

Usage: python3 benchmarks/headline.py OUT_DIR [README.md]

OUT_DIR holds planning.txt (the planning benchmark), quickstart.txt (the Quickstart's holdout table), demo.txt (the
demo report's holdout table, one line per row) and forecast.txt (the forecast benchmark on the drifting simulator).
The table goes between <!-- headline:begin --> and <!-- headline:end --> in the README, followed by the hand-kept rows
of benchmarks/headline-other.md; every figure stands beside its baseline, and a file that is missing or unreadable
stops the script rather than leaving an old figure in place.
"""
import os
import re
import sys

# Rows from runs this script does not make (Table 3, the graph members, an outside panel): kept by hand, with commands.
OTHERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "headline-other.md")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def planning_summary(text, model):
    """The 'Over N seeds: mean (worst seed)' line of a model as {key: (mean, worst)}."""
    line = next(l for l in text.splitlines() if l.startswith(model) and "plan err" in l)
    pairs = re.findall(r"([a-zA-Z0-9>\- .]+?) (-?[\d.]+) ?%? ?\((-?[\d.]+) ?%?\)", line[len(model):])
    return {key.strip(" ,"): (float(mean), float(worst)) for key, mean, worst in pairs}


def seeds_of(text):
    return re.search(r"seeds (\d+)-(\d+)", text).groups()


def table_row(text, model):
    """A whitespace-separated row of the Quickstart table: RMSE, MAE, R2, R2 shop, MASE."""
    line = next(l for l in text.splitlines() if re.match(re.escape(model) + r"\s+[\d.]", l))
    return [float(v) for v in line[len(model):].split()]


def demo_row(text, model):
    """A row of the demo report's table: RMSE, MAE, R2 pooled, R2 within shops, MASE."""
    line = next(l for l in text.splitlines() if l.startswith("| " + model + " |"))
    cells = [c.strip() for c in line.strip("| ").split("|") if c.strip()]
    return [float(c.replace(",", "")) for c in cells[1:]]


def forecast_summary(text, model):
    line = next(l for l in text.splitlines() if l.strip().startswith(model) and "MASE" in l and "(" in l)
    get = lambda key: tuple(float(v) for v in re.search(key + r" (-?[\d.]+) \((-?[\d.]+)\)", line).groups())
    return {"RMSE": get("RMSE"), "MASE": get("MASE"), "R2 within": get("R2 within shops")}


def n(value, digits=0):
    return f"{value:,.{digits}f}"


def bold_if(text, win):
    return f"**{text}**" if win else text


def rows(out):
    planning = read(f"{out}/planning.txt")
    quickstart = read(f"{out}/quickstart.txt")
    demo = read(f"{out}/demo.txt")
    forecast = read(f"{out}/forecast.txt")
    first, last = seeds_of(planning)
    seeds = int(last) - int(first) + 1
    c, r = planning_summary(planning, "CausalMMM"), planning_summary(planning, "Adstock+Hill+Ridge")
    pct = lambda v: f"{v:.1f}%"
    cmd = "`dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- planning`"
    ce, re_ = c["plan err"], r["plan err"]
    yield ("| +/-50% plan response, median relative error (planning suite: marketing simulator, 40 shops x 182 days, "
           + f"{seeds} seeds; mean, worst seed) | {bold_if(pct(ce[0]), ce[0] <= re_[0])} ({pct(ce[1])}) "
           + f"| adstock + Hill + ridge {bold_if(pct(re_[0]), re_[0] < ce[0])} ({pct(re_[1])}) | {cmd} |")
    cg, rg = c["gain median"], r["gain median"]
    yield ("| optimised plan, median share of the true optimum's gain; 10th percentile over shops (same) "
           + f"| {bold_if(pct(cg[0]), cg[0] >= rg[0])}; {pct(c['p10'][0])} | {bold_if(pct(rg[0]), rg[0] > cg[0])}; {pct(r['p10'][0])} | same |")
    yield (f"| ROI rank correlation, pooled (same) | {c['ROI rank'][0]:.3f} ({c['ROI rank'][1]:.3f}) "
           + f"| {r['ROI rank'][0]:.3f} ({r['ROI rank'][1]:.3f}) | same |")
    yield ("| mediated share of a channel's contribution, gap to the truth (median); channels acting only through page views "
           + f"| {c['mediated share gap'][0]:.1f} points; {pct(c['pv-only share'][0])} mediated (worst seed {pct(c['pv-only share'][1])}; truth 100%) | no split | same |")
    fit = lambda model: re.search(r"fit (\d+) \((\d+)\) s", next(l for l in planning.splitlines() if l.startswith(model) and "plan err" in l)).group(1)
    yield f"| fit time per seed (2 cores, up to 300 epochs) | {fit('CausalMMM')} s | {fit('Adstock+Hill+Ridge')} s | same |"

    models = ["CausalMMM", "Adstock+Hill+Ridge", "LightGbm (adstock+Hill)", "Naive: last value"]
    q = {m: table_row(quickstart, m) for m in models}
    best = min(v[0] for v in q.values())
    qcmd = "`dotnet run -c Release --project examples/Quickstart`"
    yield (f"| holdout RMSE of the Quickstart panel (defaults) | {bold_if(n(q['CausalMMM'][0]), q['CausalMMM'][0] == best)} "
           + f"| adstock + Hill + ridge {bold_if(n(q['Adstock+Hill+Ridge'][0]), q['Adstock+Hill+Ridge'][0] == best)}; "
           + f"LightGbm on adstock + Hill {n(q['LightGbm (adstock+Hill)'][0])}; last value {n(q['Naive: last value'][0])} | {qcmd} |")
    qc, qr = q["CausalMMM"], q["Adstock+Hill+Ridge"]
    yield (f"| same holdout: MASE vs last value; R² within shops (pooled R²) | {qc[4]:.2f}; {qc[3]:.3f} ({qc[2]:.3f}) "
           + f"| chain {qr[4]:.2f}; {qr[3]:.3f} ({qr[2]:.3f}); last value 1.00 | same |")

    d = {m: demo_row(demo, m) for m in ["CausalMMM", "Adstock+Hill+Ridge", "LightGbm (adstock+Hill)", "FastTree (adstock+Hill)", "Naive: last value"]}
    dbest = min(v[0] for v in d.values())
    yield (f"| 28-day holdout RMSE of the demo panel (defaults) | {bold_if(n(d['CausalMMM'][0]), d['CausalMMM'][0] == dbest)} "
           + f"| adstock + Hill + ridge {bold_if(n(d['Adstock+Hill+Ridge'][0]), d['Adstock+Hill+Ridge'][0] == dbest)}; "
           + f"LightGbm {n(d['LightGbm (adstock+Hill)'][0])}, FastTree {n(d['FastTree (adstock+Hill)'][0])}; last value {n(d['Naive: last value'][0])} | `bash scripts/demo.sh` |")

    fc, fr = forecast_summary(forecast, "CausalMMM"), forecast_summary(forecast, "Adstock+Hill+Ridge")
    ffirst, flast = seeds_of(forecast)
    fseeds = int(flast) - int(ffirst) + 1
    mase = lambda v: f"{v:.2f}"
    yield ("| 28-day holdout MASE vs last value; R² within shops (simulator with drift, trend, weekly and yearly cycles; "
           + f"{fseeds} seeds) | {bold_if(mase(fc['MASE'][0]), fc['MASE'][0] <= fr['MASE'][0])}; {fc['R2 within'][0]:.3f} "
           + f"| chain {bold_if(mase(fr['MASE'][0]), fr['MASE'][0] < fc['MASE'][0])}; {fr['R2 within'][0]:.3f}; last value 1.00 | `... -- forecast --seeds {fseeds}` |")


README_LIMIT = 15_000


def main():
    out = sys.argv[1]
    readme = sys.argv[2] if len(sys.argv) > 2 else "README.md"
    # The header, the rows made here, then the rows of runs this script does not make (hand-kept, each with its command).
    header = ["| what (data) | CausalMMM | baseline | command |", "|---|---|---|---|"]
    others = [l for l in read(OTHERS).splitlines() if l.startswith("|")]
    block = "\n".join(["<!-- headline:begin -->", *header, *rows(out), *others, "<!-- headline:end -->"])
    text = read(readme)
    if "<!-- headline:begin -->" not in text:
        sys.exit(f"{readme} has no <!-- headline:begin --> marker")
    text = re.sub(r"<!-- headline:begin -->.*?<!-- headline:end -->", lambda _: block, text, flags=re.S)
    # The README is for users and kept short (issue 27: at most 15 KB); refuse to grow it past that.
    size = len(text.encode("utf-8"))
    if size > README_LIMIT:
        sys.exit(f"{readme} would be {size:,} bytes with these rows, over the {README_LIMIT:,} limit: shorten its prose "
                 + f"or {OTHERS}, then rerun: python3 benchmarks/headline.py OUT_DIR {readme} (OUT_DIR: {out})")
    with open(readme, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{readme}: headline rows updated from {out}")


if __name__ == "__main__":
    main()
