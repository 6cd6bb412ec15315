using System.Buffers;
using Serilog.Context;

namespace Kling.Gateway.Observability;

/// <summary>
/// Gives every request an id: the caller's <c>X-Request-Id</c> when it is a plain token, otherwise a new one.
/// It is echoed to the client, forwarded upstream, put in error envelopes and in every log event.
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Request-Id";

    /// <summary>The upstream's own id for the exchange behind an answer (bodies carry only the gateway's).</summary>
    public const string UpstreamHeaderName = "X-Upstream-Request-Id";

    // "ClientRequestId", not "RequestId": ASP.NET Core's own scope property of that name would shadow it.
    public const string LogProperty = "ClientRequestId";

    private const int MaxLength = 128;

    private static readonly RequestIdGenerator Ids = new();

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:");

    public async Task InvokeAsync(HttpContext context)
    {
        string? offered = context.Request.Headers[HeaderName];
        var id = IsPlainToken(offered) ? offered : NewId();
        context.Features.Set(new RequestIdFeature(id));
        context.Response.Headers[HeaderName] = id;
        using (LogContext.PushProperty(LogProperty, id))
        {
            await next(context);
        }
    }

    /// <summary>A new request id: 32 hex digits, time-ordered.</summary>
    public static string NewId() => Ids.Next(DateTimeOffset.UtcNow);

    public static bool IsPlainToken([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && !value.AsSpan().ContainsAnyExcept(Allowed);
}

internal sealed record RequestIdFeature(string Id);

internal static class RequestIdExtensions
{
    public static string GetRequestId(this HttpContext context) =>
        context.Features.Get<RequestIdFeature>()?.Id ?? context.TraceIdentifier;
}
