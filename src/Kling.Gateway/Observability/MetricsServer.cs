using Microsoft.Extensions.Options;
using Prometheus;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Hosting;

namespace Kling.Gateway.Observability;

/// <summary>
/// <c>/metrics</c> in Prometheus text format, without tenant authentication, on <c>Metrics:Port</c>: a listener of its own,
/// never the API's port (the series name tenants and their traffic), so only the scraper need reach it. A small host of
/// its own rather than a second Kestrel endpoint, because endpoints set in code would replace <c>ASPNETCORE_URLS</c>.
/// </summary>
internal sealed partial class MetricsServer(
    IOptions<MetricsOptions> options, GatewayMetrics metrics, Serilog.ILogger serilog, ILogger<MetricsServer> logger) : IHostedService, IAsyncDisposable
{
    public const string Path = "/metrics";

    private WebApplication? _app;

    /// <summary>Where the listener bound (with <c>Metrics:Port</c> 0, the port the system chose); null when disabled.</summary>
    public int? Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        // The empty builder reads no configuration: ASPNETCORE_URLS belongs to the API, not to this listener.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // All interfaces: IPv6 and IPv4, or IPv4 alone where the host has no IPv6.
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.ListenAnyIP(options.Value.Port));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(new DiagnosticContext(serilog));
        var app = builder.Build();
        app.UseSerilogRequestLogging(logging =>
        {
            logging.Logger = serilog;
            logging.MessageTemplate = "{RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            // Scrapes are routine: seen only when asked for.
            logging.GetLevel = (_, _, exception) => exception is null ? LogEventLevel.Debug : LogEventLevel.Warning;
        });
        app.MapMetrics(Path, metrics.Registry);
        _app = app;
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            // A port in use is a configuration problem: one line naming the key, like any other.
            throw new OptionsValidationException(MetricsOptions.Section, typeof(MetricsOptions), [$"Metrics:Port {options.Value.Port} cannot be listened on: {ex.Message}"]);
        }

        Port = new Uri(app.Urls.First()).Port;
        LogListening(logger, Port.Value, Path);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics are served on port {MetricsPort} at {MetricsPath:l}, not on the API's port")]
    private static partial void LogListening(Microsoft.Extensions.Logging.ILogger logger, int metricsPort, string metricsPath);
}
