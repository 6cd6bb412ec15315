"""Where a request's CPU goes, by stage, from a dotnet-trace (dotnet-sampled-thread-time) speedscope file.

usage: python3 bench/stages.py TRACE.speedscope.json CPU_US_PER_REQUEST

Every sample of a thread that is not waiting (blocked in a semaphore, an event, epoll, a timer, ...) is given to the
innermost stage it is in: first the gateway's own stages, then, for samples in none of them, the generic ones (Kestrel,
thread pool, GC). A stage's share of the busy samples times the measured CPU per request is its cost per request.
"""
import collections
import json
import sys

# A waiting thread: its sample is idle time, not cost.
IDLE = ["LowLevelLifoSemaphore", "ManualResetEventSlim.Wait", "Monitor.Wait(", "WaitHandle.WaitOne", "SocketAsyncEngine.EventLoop",
        "TimerQueue.TimerThread", "Heartbeat.TimerLoop", "FileSystemWatcher", "Program.<Main>", "GateThread", "SpinThenBlockingWait",
        "WaitForSignal", "Thread.Sleep"]
# (stage, frame markers): the gateway's own stages.
STAGES = [
    ("completion log event (Serilog: enrich, format, write)", ["Serilog."]),
    ("metrics (prometheus-net)", ["Prometheus."]),
    ("request id + log context", ["RequestIdMiddleware"]),
    ("authentication (tenant key)", ["GatewayKeyAuthenticationHandler", "TenantDirectory", "AuthenticationMiddleware",
                                     "AuthorizationMiddleware", "Microsoft.AspNetCore.Authorization"]),
    ("rate limit", ["InProcessRateLimiter", "RateLimitingExtensions", "RateLimiting."]),
    ("body: receive", ["ReceivedBody", "BodyStructureScanner"]),
    ("body: parse, validate, enrich", ["SubmitBody", "Text2VideoRules", "ImageTail", "ContractJsonContext"]),
    ("idempotency", ["IdempotencyKey", "IdempotencyStore"]),
    ("store: request side (task cache, queueing, snapshot read)", ["Kling.Gateway.Tasks."]),
    ("answer written to the client", ["UpstreamReply.WriteAsync", "KlingErrorWriter"]),
    ("polling: stored answers, coalescing", ["Kling.Gateway.Polling."]),
    ("upstream: YARP + HttpClient (request, response, answer read)", ["Kling.Gateway.Upstream.", "Yarp.", "System.Net.Http"]),
    ("submit or query flow itself", ["SubmitFlow", "QueryFlow", "Text2VideoApi"]),
]
# (stage, frame markers): stages that own everything under them, whichever thread runs them (a SQLite batch runs on
# the request thread that found none running, and its statements are the store's writes, not that request's flow).
ENCLOSING = [("store: SQLite writes (batches, statements, commits)", ["SqliteDatabase.RunBatch"])]
GENERIC = [
    ("routing, endpoint", ["Microsoft.AspNetCore.Routing", "EndpointMiddleware", "RequestDelegateFactory"]),
    ("Kestrel: HTTP/1.1 parsing, socket I/O", ["Kestrel", "System.Net.Sockets", "System.IO.Pipelines"]),
    ("GC", ["GarbageCollect", "GC_", "PollGC"]),
    ("thread pool: dispatch, spinning", ["ThreadPool", "PortableThreadPool", "ExecutionContext"]),
]


def stage_of(names):
    for stage, markers in ENCLOSING:
        if any(marker in name for name in names for marker in markers):
            return stage
    for group in (STAGES, GENERIC):
        for name in reversed(names):
            for stage, markers in group:
                if any(marker in name for marker in markers):
                    return stage
    return "other"


def main():
    trace = json.load(open(sys.argv[1]))
    cpu_us = float(sys.argv[2])
    frames = [f["name"] for f in trace["shared"]["frames"]]
    busy = collections.Counter()
    for profile in trace["profiles"]:
        stack, last = [], None
        for event in profile["events"]:
            at = event["at"]
            if stack and last is not None and at > last:
                names = [frames[i] for i in stack]
                waiting = names[-1] == "UNMANAGED_CODE_TIME" and any(m in n for n in names for m in IDLE)
                # A pool thread parked in native code between work items is waiting too.
                parked = names[-1] == "UNMANAGED_CODE_TIME" and "WorkerThreadStart" in names[-2]
                if not (waiting or parked):
                    busy[stage_of(names)] += at - last
            last = at
            if event["type"] == "O":
                stack.append(event["frame"])
            else:
                stack.pop()
    total = sum(busy.values())
    print(f"| stage | share of busy samples | µs of CPU per request (of {cpu_us:.0f}) |")
    print("|---|---:|---:|")
    for stage, weight in busy.most_common():
        print(f"| {stage} | {weight / total * 100:.1f} % | {weight / total * cpu_us:.0f} |")


main()
