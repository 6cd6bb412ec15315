using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace Kling.Gateway.Observability;

internal static class ObservabilityExtensions
{
    private const string DevelopmentTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}";

    private const int LogBufferSize = 10_000;

    private const string HealthPath = "/health";

    /// <summary>
    /// Serilog from the <c>Serilog</c> configuration section: human-readable in Development, compact JSON elsewhere.
    /// The logger belongs to the host (not the static <see cref="Log.Logger"/>), so several hosts can share a process.
    /// </summary>
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext();
            // Formatting and writing happen on one queue's loop, a burst at a time, not on request threads.
            ITextFormatter formatter = development ? new MessageTemplateTextFormatter(DevelopmentTemplate) : new RenderedCompactJsonFormatter();
            logger.WriteTo.Sink(new QueuedLogSink(formatter, Console.OpenStandardOutput(), LogBufferSize));
        }, preserveStaticLogger: true);
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<AimedRoutes>();
        builder.Services.AddSingleton<StoreGauges>();
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
            .Validate(o => o.Port is >= 0 and < 65536, "Metrics:Port must be a TCP port number (0-65535; 0 = any free port)")
            .ValidateOnStart();
        builder.Services.AddSingleton<MetricsServer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MetricsServer>());
        return builder;
    }

    /// <summary>The route template a request was aimed at (never the raw path, which holds task ids).</summary>
    public static string RouteTemplate(this HttpContext context) =>
        context.Features.Get<AimedRoute>()?.Template ?? AimedRoutes.Unmatched;

    /// <summary>
    /// Request id first, so that even the completion event carries it; then one completion event per request,
    /// and the request counter.
    /// </summary>
    public static IApplicationBuilder UseObservability(this IApplicationBuilder app) => app
        .UseMiddleware<RequestIdMiddleware>()
        .UseMiddleware<RequestMetricsMiddleware>()
        .UseSerilogRequestLogging(options =>
        {
            // The host's logger, not the static bootstrap one.
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
            options.MessageTemplate = "{RequestMethod} {RoutePattern} responded {StatusCode} in {Elapsed:0.0} ms";
            options.GetLevel = CompletionLevel;
            options.EnrichDiagnosticContext = (diagnostics, context) =>
            {
                diagnostics.Set("RoutePattern", context.RouteTemplate());
                diagnostics.Set("TenantId", context.User.Identity?.Name);
                if (context.Response.StatusCode == StatusCodes.Status499ClientClosedRequest)
                {
                    // The framework's mark for a request whose client went away before any answer: say so.
                    diagnostics.Set("Reason", "the client closed the connection before the answer");
                }

                if (context.Response.Headers.TryGetValue(RequestIdMiddleware.UpstreamHeaderName, out var upstreamRequestId))
                {
                    diagnostics.Set("UpstreamRequestId", upstreamRequestId.ToString());
                }
            };
        });

    /// <summary>
    /// Probes are routine: Debug. The unexpected (an exception, a 500) is an Error, with its stack trace in the exception
    /// handler's event. The expected faults (store or upstream unavailable, timed out, an answer that is not an envelope:
    /// 502/503/504) are Warnings whose <c>Reason</c> says why; a client's own failures (a broken body, a connection it
    /// dropped) stay Information.
    /// </summary>
    private static LogEventLevel CompletionLevel(HttpContext context, double elapsedMs, Exception? exception) =>
        context.Request.Path.StartsWithSegments(HealthPath) ? LogEventLevel.Debug
        : exception is not null || context.Response.StatusCode == StatusCodes.Status500InternalServerError ? LogEventLevel.Error
        : context.Response.StatusCode >= 500 ? LogEventLevel.Warning
        : LogEventLevel.Information;

    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: every check tagged "ready" passes.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(HealthPath + "/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Health");
        endpoints.MapHealthChecks(HealthPath + "/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).WithTags("Health");
        return endpoints;
    }
}
