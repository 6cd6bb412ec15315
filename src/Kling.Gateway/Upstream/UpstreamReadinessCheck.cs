using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kling.Gateway.Upstream;

/// <summary>Ready once the gateway knows where to forward (the built-in simulator, when used, has started).</summary>
internal sealed class UpstreamReadinessCheck(UpstreamTarget target) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(target.Current is null
            ? HealthCheckResult.Unhealthy("the built-in simulator has not started")
            : HealthCheckResult.Healthy(target.UsesBuiltInSimulator ? "built-in simulator" : "configured upstream"));
}
