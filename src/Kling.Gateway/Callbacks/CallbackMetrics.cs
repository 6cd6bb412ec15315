using Kling.Gateway.Observability;
using Prometheus;

namespace Kling.Gateway.Callbacks;

/// <summary>Callback deliveries by outcome, and the outbox's depth and oldest waiting event, per tenant (in the gateway's registry).</summary>
internal sealed class CallbackMetrics
{
    private readonly Counter _deliveries;

    public CallbackMetrics(GatewayMetrics gateway)
    {
        var factory = Metrics.WithCustomRegistry(gateway.Registry);
        _deliveries = factory.CreateCounter(
            "kling_gateway_callback_deliveries_total",
            "Callback delivery attempts by tenant and outcome: delivered, retried, failed (given up), stopped (410 Gone).",
            "tenant", "outcome");
        QueueDepth = factory.CreateGauge("kling_gateway_callback_queue_depth", "Callback events waiting to be delivered, by tenant.", "tenant");
        OldestPendingAge = factory.CreateGauge(
            "kling_gateway_callback_oldest_pending_age_seconds", "Age of the oldest callback event waiting to be delivered, by tenant (0 when none).", "tenant");
    }

    public Gauge QueueDepth { get; }

    public Gauge OldestPendingAge { get; }

    public void Attempted(string tenantId, SettlementKind outcome) => _deliveries.WithLabels(tenantId, outcome switch
    {
        SettlementKind.Delivered => "delivered",
        SettlementKind.Retry => "retried",
        SettlementKind.Failed => "failed",
        _ => "stopped",
    }).Inc();
}
