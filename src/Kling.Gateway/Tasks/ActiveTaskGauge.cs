using Kling.Gateway.Observability;
using Kling.Gateway.Tenancy;

namespace Kling.Gateway.Tasks;

/// <summary>Sets <c>kling_gateway_active_tasks</c> from the store (at most every few seconds), so every replica reports the shared truth.</summary>
internal sealed class ActiveTaskGauge(GatewayMetrics metrics, StoreGauges gauges, ITaskStore tasks, TenantDirectory tenants) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        gauges.Add(async _ =>
        {
            foreach (var (tenantId, count) in await tasks.ActiveCountsAsync([.. tenants.TenantIds]))
            {
                metrics.ActiveTasks.WithLabels(tenantId).Set(count);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
