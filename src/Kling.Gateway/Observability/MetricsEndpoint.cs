using Microsoft.Extensions.Options;
using Prometheus;

namespace Kling.Gateway.Observability;

internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>
    /// <c>/metrics</c> in Prometheus text format, without tenant authentication: on the API's port, or on
    /// <c>Metrics:Port</c> alone so it can stay off the shared endpoint.
    /// </summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        var metrics = app.Services.GetRequiredService<GatewayMetrics>();
        if (options.Port is { } port)
        {
            var server = new KestrelMetricServer(port, Path, metrics.Registry);
            app.Lifetime.ApplicationStarted.Register(() => server.Start());
            app.Lifetime.ApplicationStopping.Register(() => server.Dispose());
        }
        else
        {
            app.MapMetrics(Path, metrics.Registry).WithTags("Metrics");
        }

        return app;
    }
}
