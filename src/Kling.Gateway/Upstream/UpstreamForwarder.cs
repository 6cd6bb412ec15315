using Kling.Gateway.Errors;
using Kling.Gateway.Observability;
using Microsoft.Extensions.Options;
using IDiagnosticContext = Serilog.IDiagnosticContext;
using Yarp.ReverseProxy.Forwarder;

namespace Kling.Gateway.Upstream;

/// <summary>Sends one request to the upstream through YARP's forwarder over one shared connection pool.</summary>
internal sealed partial class UpstreamForwarder(
    IHttpForwarder forwarder,
    UpstreamInvoker invoker,
    UpstreamTarget target,
    IOptionsMonitor<UpstreamOptions> options,
    UpstreamCredentialWatch credentials,
    IDiagnosticContext diagnostics,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<UpstreamForwarder> logger)
{
    /// <summary>
    /// Forwards the client's request to the upstream's equivalent of the public <paramref name="path"/>, with
    /// <paramref name="jsonBody"/> (in the public contract's terms) as its body.
    /// Returns the upstream's answer, or null when it could not be had (the client has then been answered).
    /// </summary>
    /// <param name="operation">What the call is for, as the upstream latency metric labels it.</param>
    public async Task<UpstreamReply?> SendAsync(HttpContext context, string operation, string path, byte[] jsonBody)
    {
        var endpoint = target.Current;
        if (endpoint is null)
        {
            await context.WriteKlingErrorAsync(503, ErrorCodes.UpstreamUnavailable, "the upstream is not ready yet");
            return null;
        }

        if (endpoint.Mode == UpstreamMode.Official)
        {
            jsonBody = OfficialRequestMapper.Map(jsonBody);
        }

        // YARP forwards the request's own body: the validated, enriched bytes replace what the client sent.
        var request = context.Request;
        request.Body = new MemoryStream(jsonBody, writable: false);
        request.ContentLength = jsonBody.Length;
        request.ContentType = "application/json";
        request.Headers.TransferEncoding = default;

        var timeout = options.CurrentValue.Timeout;
        var transformer = new UpstreamTransformer(
            new Uri(endpoint.BaseAddress + endpoint.PathFor(path)), endpoint.Credential.Authorization(), context.GetRequestId());
        var started = time.GetTimestamp();
        var error = await forwarder.SendAsync(
            context, endpoint.BaseAddress, invoker.Invoker, new ForwarderRequestConfig { ActivityTimeout = timeout }, transformer);
        var elapsed = time.GetElapsedTime(started);
        diagnostics.Set("UpstreamMs", Math.Round(elapsed.TotalMilliseconds, 1));
        metrics.UpstreamCall(operation, transformer.Reply?.StatusCode ?? 0, elapsed);

        if (error == ForwarderError.None && transformer.Reply is { } reply)
        {
            diagnostics.Set("UpstreamStatus", reply.StatusCode);
            if (!credentials.IsRejection(reply))
            {
                return reply;
            }

            await context.WriteUpstreamFailureAsync(UpstreamFailure.CredentialsRejected, timeout);
            return null;
        }

        await WriteFailureAsync(context, error, timeout);
        return null;
    }

    private async Task WriteFailureAsync(HttpContext context, ForwarderError error, TimeSpan timeout)
    {
        var exception = context.GetForwarderErrorFeature()?.Exception;
        if (context.RequestAborted.IsCancellationRequested || context.Response.HasStarted)
        {
            LogClientGone(logger, error);
            return;
        }

        // The exception text names the upstream host: only its type is logged.
        var timedOut = error == ForwarderError.RequestTimedOut || exception is OperationCanceledException;
        LogUpstreamFailed(logger, error, exception?.GetType().Name ?? "none", timedOut);
        context.Response.Clear();
        await context.WriteUpstreamFailureAsync(timedOut ? UpstreamFailure.TimedOut : UpstreamFailure.Unavailable, timeout);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream call failed: {ForwarderError} ({ExceptionType}), timed out: {TimedOut}")]
    private static partial void LogUpstreamFailed(ILogger logger, ForwarderError forwarderError, string exceptionType, bool timedOut);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client went away during the upstream call: {ForwarderError}")]
    private static partial void LogClientGone(ILogger logger, ForwarderError forwarderError);
}
