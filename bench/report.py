"""Turns one bench/run's measurements into bench/RESULTS.md (printed to stdout)."""
import json
import pathlib
import sys

runs = pathlib.Path(sys.argv[1])
here = pathlib.Path(__file__).parent
SCENARIOS = {
    "query": "Query: `GET /kling/v1/videos/text2video/{task_id}`, polls spread over 1000 running tasks, every poll forwarded",
    "submit": "Submit: `POST /kling/v1/videos/text2video`, realistic body (~0.4 KB)",
    "submit-1mb": "Submit with a 1 MB PNG as Base64 `image_tail` (~1.4 MB body)",
}
TARGETS = ["direct", "nginx", "gateway", "gateway-redis", "gateway-defaults"]


def load(scenario, connections, target):
    path = runs / f"{scenario}.{connections}.{target}.json"
    if not path.exists():
        return None
    result = json.loads(path.read_text().strip().splitlines()[-1])
    meta = runs / f"{scenario}.{connections}.{target}.meta"
    if meta.exists():
        result.update(json.loads(meta.read_text()))
    return result


connections = sorted({int(p.name.split(".")[1]) for p in runs.glob("*.json")})
targets = [t for t in TARGETS if t != "gateway-defaults" and any(runs.glob(f"*.{t}.json"))]
print("# Benchmark results\n")
print("Produced by `bench/run" + (" --redis" if "gateway-redis" in targets else "") + "` (do not edit by hand; "
      "the analysis at the end comes from `bench/analysis.md`). Every process ran on this one machine, on 127.0.0.1, "
      "with the load generator (wrk) on the same two cores, so compare the ratios, not the absolute numbers.\n")
print("```")
print((runs / "machine.txt").read_text().strip())
print("```\n")

verdicts = []
peak_rss = 0.0
errors = 0


def rows(scenario, title, shown):
    """Prints one scenario's table; returns its measurements by (connections, target)."""
    global errors, peak_rss
    print(f"## {title}\n")
    print("| connections | target | requests/s | p50 ms | p99 ms | errors | gateway CPU (cores) | gateway peak RSS (MB) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    found = {}
    for c in connections:
        for t in shown:
            r = load(scenario, c, t)
            if r is None:
                continue
            found[(c, t)] = r
            bad = r["socket_errors"] + r["non_2xx"]
            errors += bad
            cpu = f'{r["cpu_seconds"] / r["seconds"]:.2f}' if "cpu_seconds" in r else ""
            rss = ""
            if "peak_rss_kb" in r:
                peak_rss = max(peak_rss, r["peak_rss_kb"] / 1024)
                rss = f'{r["peak_rss_kb"] / 1024:.0f}'
            print(f'| {c} | {t} | {r["rps"]:.0f} | {r["p50_us"] / 1000:.2f} | {r["p99_us"] / 1000:.2f} | {bad} | {cpu} | {rss} |')
    print()
    return found


for scenario, title in SCENARIOS.items():
    rows(scenario, title, targets)
    print("| connections | gateway | throughput ÷ direct | throughput ÷ nginx | added p50 over direct (ms) | added p99 over direct (ms) |")
    print("|---:|---|---:|---:|---:|---:|")
    for c in connections:
        direct, nginx = load(scenario, c, "direct"), load(scenario, c, "nginx")
        for t in [t for t in targets if t.startswith("gateway")]:
            g = load(scenario, c, t)
            if not (g and direct and nginx):
                continue
            to_nginx = g["rps"] / nginx["rps"]
            added_p99 = (g["p99_us"] - direct["p99_us"]) / 1000
            print(f'| {c} | {t} | {g["rps"] / direct["rps"]:.2f} | {to_nginx:.2f} | '
                  f'{(g["p50_us"] - direct["p50_us"]) / 1000:.2f} | {added_p99:.2f} |')
            if scenario == "query" and c == 64:
                verdicts.append((f"{t}: query throughput ≥ 0.6 × nginx at 64 connections", to_nginx >= 0.6, f"{to_nginx:.2f} ×"))
            if scenario == "query" and c == 16:
                verdicts.append((f"{t}: query added p99 over direct ≤ 2 ms at 16 connections", added_p99 <= 2, f"{added_p99:.2f} ms"))
            if scenario.startswith("submit") and c == 64:
                verdicts.append((f"{t}: {scenario} throughput ≥ 0.5 × nginx at 64 connections", to_nginx >= 0.5, f"{to_nginx:.2f} ×"))
    print()

storm = rows("storm", "Poll storm: 64 connections polling one running task (default polling: 2 s minimum interval)", TARGETS)
calls_file = runs / "storm.64.gateway-defaults.calls"
if calls_file.exists():
    calls = json.loads(calls_file.read_text())
    allowed = calls["duration_s"] / calls["min_interval_s"] + 1
    requests = storm[(64, "gateway-defaults")]["requests"] if (64, "gateway-defaults") in storm else 0
    print(f'{requests} polls in {calls["duration_s"]} s caused **{calls["upstream_calls"]} upstream calls** '
          f'(allowed: duration ÷ MinInterval + 1 = {allowed:.0f}).\n')
    verdicts.append(("poll storm upstream calls ≤ duration ÷ MinInterval + 1", calls["upstream_calls"] <= allowed,
                     f'{calls["upstream_calls"]} calls'))

finished = rows("finished", "Polls of a finished task (the gateway answers from its store)", TARGETS)
for c in connections:
    g, n = finished.get((c, "gateway-defaults")), finished.get((c, "nginx"))
    if g and n:
        print(f'- {c} connections: gateway ÷ nginx throughput = **{g["rps"] / n["rps"]:.2f}**')
        verdicts.append((f"finished-task polls ≥ 1.5 × nginx at {c} connections", g["rps"] / n["rps"] >= 1.5, f'{g["rps"] / n["rps"]:.2f} ×'))
print()

verdicts.append(("gateway peak RSS under load ≤ 200 MB", peak_rss <= 200, f"{peak_rss:.0f} MB"))
verdicts.append(("no error responses in any run", errors == 0, f"{errors} errors"))
print("## Targets\n")
print("| target | measured | met |")
print("|---|---:|:---:|")
for name, ok, measured in verdicts:
    print(f"| {name} | {measured} | {'yes' if ok else '**no**'} |")
print()
analysis = here / "analysis.md"
if analysis.exists():
    print(analysis.read_text().strip())
