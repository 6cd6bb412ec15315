using Kling.Gateway.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kling.Gateway.Tasks;

/// <summary>Ready only while the task store answers: without it the gateway cannot enforce limits or ownership.</summary>
internal sealed class StoreReadinessCheck(ITaskStore tasks) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await tasks.PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (StoreUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
