using Prometheus;

namespace Kling.Gateway.Observability;

/// <summary>
/// The gateway's Prometheus metrics, in a registry of its own (not the process-wide default),
/// so every gateway instance, including several in one test process, counts only its own traffic.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly Counter _requests;
    private readonly Counter _rejections;
    private readonly Histogram _upstreamDuration;
    private readonly Counter _tokenSignings;
    private readonly Counter _credentialRejections;
    private readonly Counter _taskQueries;
    private readonly Counter _reclaimed;

    public GatewayMetrics()
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter(
            "kling_gateway_requests_total", "Requests answered, by route, status and tenant.", "route", "status", "tenant");
        _rejections = factory.CreateCounter(
            "kling_gateway_rejections_total", "Requests refused by a tenant limit (rate_limit or concurrency).", "tenant", "reason");
        ActiveTasks = factory.CreateGauge(
            "kling_gateway_active_tasks", "Tasks holding an active-task slot, by tenant.", "tenant");
        _tokenSignings = factory.CreateCounter(
            "kling_gateway_upstream_token_signings_total", "JWTs signed for the official upstream (one per renewal).");
        _credentialRejections = factory.CreateCounter(
            "kling_gateway_upstream_credential_rejections_total", "Upstream answers rejecting the gateway's own credentials.");
        _taskQueries = factory.CreateCounter(
            "kling_gateway_task_queries_total",
            "Task state lookups by tenant and by what answered: store (no upstream call), upstream (one call) or shared (joined another query's call).",
            "tenant", "answered_by");
        _reclaimed = factory.CreateCounter(
            "kling_gateway_reservations_reclaimed_total",
            "Slot reservations whose submit died with its process, reclaimed by tenant and outcome: adopted (its upstream task found and recorded), released (no task was created) or orphaned (the upstream could not be asked).",
            "tenant", "outcome");
        _upstreamDuration = factory.CreateHistogram(
            "kling_gateway_upstream_duration_seconds", "Upstream call latency, by operation and upstream status.",
            new HistogramConfiguration
            {
                LabelNames = ["operation", "status"],
                Buckets = Histogram.ExponentialBuckets(0.005, 2, 14),
            });
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public Gauge ActiveTasks { get; }

    public void Answered(string route, int status, string? tenantId) =>
        _requests.WithLabels(route, StatusLabel(status), tenantId ?? "").Inc();

    public void Rejected(string tenantId, string reason) => _rejections.WithLabels(tenantId, reason).Inc();

    /// <param name="status">The upstream's status, or 0 when it gave none (unreachable, timed out).</param>
    public void UpstreamCall(string operation, int status, TimeSpan elapsed) =>
        _upstreamDuration.WithLabels(operation, StatusLabel(status)).Observe(elapsed.TotalSeconds);

    public void TokenSigned() => _tokenSignings.Inc();

    public void TaskQuery(string tenantId, string answeredBy) => _taskQueries.WithLabels(tenantId, answeredBy).Inc();

    public void CredentialsRejected() => _credentialRejections.Inc();

    public void ReservationReclaimed(string tenantId, string outcome) => _reclaimed.WithLabels(tenantId, outcome).Inc();

    private static string StatusLabel(int status) => status switch
    {
        0 => "none",
        200 => "200",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
