using Kling.Gateway.Observability;
using Kling.Gateway.Tasks;
using Kling.Gateway.Tenancy;
using Prometheus;

namespace Kling.Gateway.Usage;

/// <summary>
/// Units settled and reserved per tenant, model and mode, read from the store at scrape time (at most every few seconds): like the usage endpoint,
/// they count every replica's tasks and survive restarts (so with replicas, take one replica's value, not the sum).
/// Budget refusals count in <c>kling_gateway_rejections_total{reason="budget"}</c>.
/// </summary>
internal sealed class UsageMetrics
{
    public UsageMetrics(GatewayMetrics metrics, StoreGauges gauges, ITaskStore tasks, TenantDirectory tenants)
    {
        var factory = Metrics.WithCustomRegistry(metrics.Registry);
        var settled = factory.CreateCounter(
            "kling_gateway_units_total", "Units charged by finished tasks (the upstream's final deduction, else the estimate), by tenant, model and mode.",
            "tenant", "model", "mode");
        var reserved = factory.CreateGauge(
            "kling_gateway_units_reserved", "Estimated units reserved by tasks not finished yet, by tenant, model and mode.",
            "tenant", "model", "mode");
        gauges.Add(async _ =>
        {
            foreach (var total in await tasks.UnitTotalsAsync([.. tenants.TenantIds], [UnitCharge.Total]))
            {
                settled.WithLabels(total.TenantId, total.Model, total.Mode).IncTo((double)Units.FromMilli(total.Used));
                reserved.WithLabels(total.TenantId, total.Model, total.Mode).Set((double)Units.FromMilli(total.Reserved));
            }
        });
    }
}
