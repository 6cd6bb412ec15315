using Kling.Gateway.Observability;
using Kling.Gateway.Tenancy;

namespace Kling.Gateway.Tasks;

/// <summary>Sets <c>kling_gateway_active_tasks</c> from the store at each scrape, so every replica reports the shared truth.</summary>
internal sealed class ActiveTaskGauge(GatewayMetrics metrics, ITaskStore tasks, TenantDirectory tenants) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Registry.AddBeforeCollectCallback(async _ =>
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
