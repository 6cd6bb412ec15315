namespace Kling.Gateway.Observability;

/// <summary>Counts every answered request by route template (never the raw path: task ids would explode the series), status and tenant.</summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next, GatewayMetrics metrics, AimedRoutes routes)
{
    public async Task InvokeAsync(HttpContext context)
    {
        routes.Capture(context);
        try
        {
            await next(context);
        }
        finally
        {
            metrics.Answered(context.RouteTemplate(), context.Response.StatusCode, context.User.Identity?.Name);
        }
    }
}
