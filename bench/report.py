"""Turns one bench/run's measurements into its report (printed to stdout; bench/run --write makes it bench/RESULTS.md)."""
import json
import pathlib
import sys

runs = pathlib.Path(sys.argv[1])
here = pathlib.Path(__file__).parent
SCENARIOS = {
    "query": "Query: `GET /kling/v1/videos/text2video/{task_id}`, polls spread over 1000 running tasks, every poll forwarded",
    "submit": "Submit: `POST /kling/v1/videos/text2video`, realistic body (~0.4 KB); each target meets a freshly started simulator",
    "submit-1mb": "Submit with a 1 MB PNG as Base64 `image_tail` (~1.4 MB body); each target meets a freshly started simulator",
}
TARGETS = ["direct", "nginx", "bareyarp", "gateway", "gateway-redis", "gateway-defaults", "gateway-256mib"]


def load(scenario, connections, target, suffix="json"):
    path = runs / f"{scenario}.{connections}.{target}.{suffix}"
    if not path.exists():
        return None
    if suffix != "json":
        return json.loads(path.read_text())
    result = json.loads(path.read_text().strip().splitlines()[-1])
    meta = runs / f"{scenario}.{connections}.{target}.meta"
    if meta.exists():
        result.update(json.loads(meta.read_text()))
    return result


def numeric(cell):
    try:
        float(str(cell).split(" ")[0])
        return True
    except ValueError:
        return str(cell) == ""


def table(header, lines):
    """A Markdown table; columns of numbers are right-aligned."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" if all(numeric(line[i]) for line in lines) else "---" for i in range(len(header))) + "|")
    for line in lines:
        print("| " + " | ".join(str(cell) for cell in line) + " |")
    print()


connections = sorted({int(p.name.split(".")[1]) for p in runs.glob("*.json")})
targets = [t for t in TARGETS if t not in ("gateway-defaults", "gateway-256mib") and any(runs.glob(f"*.{t}.json"))]
machine = (runs / "machine.txt").read_text().strip()
print("# Benchmark results\n")
print("Produced by `bench/run --write` (do not edit by hand; the analysis at the end comes from `bench/analysis.md`). "
      "Every process ran on this one machine, on 127.0.0.1, with the load generator (wrk) on the same two cores, so compare "
      "the ratios, not the absolute numbers. *bareyarp* is `bench/BareYarp`, a bare YARP direct forwarder: the .NET floor. "
      "CPU columns are the measured process's own CPU time (user + system) over the run.\n")
print("```")
print(machine)
print("```\n")

targets_met = []
checks = []
errors = 0


def rows(scenario, title, shown, note=""):
    """Prints one scenario's table; returns its measurements by (connections, target)."""
    global errors
    print(f"## {title}\n")
    if note:
        print(note + "\n")
    found, lines = {}, []
    for c in connections:
        for t in shown:
            r = load(scenario, c, t)
            if r is None:
                continue
            found[(c, t)] = r
            bad = r["socket_errors"] + r["non_2xx"]
            if t != "gateway-256mib":
                errors += bad
            cpu = per_request = rss = ""
            if "cpu_seconds" in r:
                cpu = f'{r["cpu_seconds"] / r["seconds"]:.2f}'
                per_request = f'{r["cpu_seconds"] / max(r["requests"], 1) * 1e6:.0f}'
            if "peak_rss_kb" in r:
                rss = f'{r["peak_rss_kb"] / 1024:.0f}'
            lines.append([c, t, f'{r["rps"]:.0f}', f'{r["p50_us"] / 1000:.2f}', f'{r["p99_us"] / 1000:.2f}', bad, cpu, per_request, rss])
    table(["connections", "target", "requests/s", "p50 ms", "p99 ms", "errors", "CPU (cores)", "CPU µs/request", "peak RSS (MB)"], lines)
    return found


for scenario, title in SCENARIOS.items():
    found = rows(scenario, title, targets)
    lines = []
    for c in connections:
        floor, nginx = found.get((c, "bareyarp")), found.get((c, "nginx"))
        for t in [t for t in targets if t.startswith("gateway")]:
            g = found.get((c, t))
            if not (g and floor and nginx):
                continue
            to_floor, p99_to_floor = g["rps"] / floor["rps"], g["p99_us"] / floor["p99_us"]
            lines.append([c, t, f"{to_floor:.2f}", f"{p99_to_floor:.2f}", f'{g["rps"] / nginx["rps"]:.2f}',
                          f'{floor["rps"] / nginx["rps"]:.2f}'])
            if t != "gateway":
                continue
            if scenario == "query" and c == 64:
                targets_met.append(("forwarded polls ≥ 0.85 × bare YARP throughput at 64 connections", to_floor >= 0.85, f"{to_floor:.2f} ×"))
            if scenario == "submit" and c == 16:
                targets_met.append(("submits ≥ 0.5 × bare YARP throughput at 16 connections", to_floor >= 0.5, f"{to_floor:.2f} ×"))
                # The gateway does all bare YARP does and more, so a tail under half of bare YARP's means bare YARP's
                # own run had a spike: such a run decides nothing.
                p99_met = None if p99_to_floor < 0.5 else p99_to_floor <= 2
                targets_met.append(("submit p99 ≤ 2 × bare YARP's p99 at 16 connections", p99_met,
                                    f'{g["p99_us"] / 1000:.2f} ms = {p99_to_floor:.2f} ×'
                                    + (f' (bare YARP\'s p99 {floor["p99_us"] / 1000:.2f} ms is a spike)' if p99_met is None else '')))
    table(["connections", "gateway", "throughput ÷ bare YARP", "p99 ÷ bare YARP p99", "throughput ÷ nginx", "bare YARP ÷ nginx"], lines)

storm = rows("storm", "Poll storm: 64 connections polling one running task (default polling: 2 s minimum interval)", TARGETS)
calls = load("storm", 64, "gateway-defaults", "calls")
if calls and (64, "gateway-defaults") in storm:
    allowed = calls["duration_s"] / calls["min_interval_s"] + 1
    print(f'{storm[(64, "gateway-defaults")]["requests"]} polls in {calls["duration_s"]} s caused **{calls["upstream_calls"]} upstream calls** '
          f'(allowed: duration ÷ MinInterval + 1 = {allowed:.0f}).\n')
    checks.append(("poll storm upstream calls ≤ duration ÷ MinInterval + 1", calls["upstream_calls"] <= allowed, f'{calls["upstream_calls"]} calls'))

slow = rows("slow", "Slow upstream: the upstream answers after 100 ms; 64 clients poll 100 tasks, half finished, half running",
            ["direct", "nginx", "gateway-defaults"],
            "The gateway runs its defaults (2 s minimum poll interval, finished answers served by the gateway). "
            "Upstream calls are counted by the upstream (its request log) during the measured run.")
lines = []
for t in ["direct", "nginx", "gateway-defaults"]:
    r, c = slow.get((64, t)), load("slow", 64, t, "calls")
    if r and c:
        lines.append([t, r["requests"], c["upstream_calls"], f'{c["upstream_calls"] / max(r["requests"], 1):.4f}'])
if lines:
    table(["target", "client polls", "upstream calls", "upstream calls per client poll"], lines)
    print("Upstream calls include those of the polls still in flight when the run stopped (up to one per connection), "
          "hence slightly more than one call per poll through nginx.\n")
    states = {name: (runs / f"slow.status-{name}").read_text().strip() for name in ("finished", "running")
              if (runs / f"slow.status-{name}").exists()}
    if states:
        print(f'At the end the upstream reported the finished half as `{states.get("finished")}` and the running half as '
              f'`{states.get("running")}`.\n')
g, n, gc = slow.get((64, "gateway-defaults")), slow.get((64, "nginx")), load("slow", 64, "gateway-defaults", "calls")
if g and n and gc:
    ratio, per_poll = g["rps"] / n["rps"], gc["upstream_calls"] / max(g["requests"], 1)
    targets_met.append(("slow upstream: gateway ≥ 30 × nginx throughput", ratio >= 30, f"{ratio:.1f} ×"))
    targets_met.append(("slow upstream: ≤ 0.01 upstream calls per client poll", per_poll <= 0.01, f"{per_poll:.4f}"))

memory = rows("memory", "Memory-limited: the gateway in a 256 MiB memory cgroup, 1 MB image submits from 64 connections",
              ["gateway-256mib"], "The gateway as published, Production settings, inside a cgroup v1 memory group limited to "
              "256 MiB (the shipped Kubernetes limit); every answer is counted by status.")
m, cg = memory.get((64, "gateway-256mib")), load("memory", 64, "gateway-256mib", "cgroup")
if m and cg:
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(m.get("statuses", {}).items()))
    table(["answers by status", "socket errors", "gateway survived", "cgroup peak usage (MiB)", "cgroup limit hits", "OOM kills"],
          [[statuses or "none", m["socket_errors"], "yes" if cg["alive"] else "**no**", f'{cg["max_usage_bytes"] / 1048576:.0f}',
            cg["failcnt"], cg["oom_kills"]]])
    five_hundreds, answered = m.get("statuses", {}).get("500", 0), m["requests"]
    targets_met.append(("memory-limited run: zero 500s (the gateway survives and answers)",
                        five_hundreds == 0 and cg["alive"] and answered > 0,
                        f'{five_hundreds} × 500 of {answered} answers{"" if cg["alive"] else ", gateway killed"}'))
else:
    print("Not run (needs root and cgroup v1 at /sys/fs/cgroup/memory).\n")
    targets_met.append(("memory-limited run: zero 500s (the gateway survives and answers)", False, "not run"))

finished = rows("finished", "Polls of a finished task (the gateway answers from its store)", TARGETS)
for c in connections:
    g, n, f = finished.get((c, "gateway-defaults")), finished.get((c, "nginx")), finished.get((c, "bareyarp"))
    if g and n and f:
        print(f'- {c} connections: gateway ÷ nginx = **{g["rps"] / n["rps"]:.2f}**, gateway ÷ bare YARP = **{g["rps"] / f["rps"]:.2f}**')
print()

checks.append(("no error responses in the unconstrained runs", errors == 0, f"{errors} errors"))
print("## Targets (issue 17, ratios from this one run)\n")
table(["target", "measured", "met"],
      [[name, measured, "**not decided**" if ok is None else "yes" if ok else "**no**"] for name, ok, measured in targets_met])
print("Further checks:\n")
table(["check", "measured", "met"], [[name, measured, "yes" if ok else "**no**"] for name, ok, measured in checks])
analysis = here / "analysis.md"
if analysis.exists():
    print(analysis.read_text().strip())
