using System.Buffers;
using Kling.Gateway.Errors;
using Kling.Gateway.Observability;
using Microsoft.Extensions.Options;
using IDiagnosticContext = Serilog.IDiagnosticContext;
using Yarp.ReverseProxy.Forwarder;

namespace Kling.Gateway.Upstream;

/// <summary>
/// The one way out to the upstream. A submit is one client's request and is forwarded through YARP's forwarder; a
/// query serves every poll waiting on it (and the refresher), so it is the gateway's own call on the same connection
/// pool. Both build their request with <see cref="UpstreamRequest"/> (the header allow-list) and both answers pass
/// <see cref="UpstreamAnswer"/> before anyone sees them.
/// </summary>
internal sealed class UpstreamClient(
    IHttpForwarder forwarder,
    UpstreamInvoker invoker,
    UpstreamTarget target,
    IOptionsMonitor<UpstreamOptions> options,
    UpstreamCredentialWatch credentials,
    IDiagnosticContext diagnostics,
    GatewayMetrics metrics,
    TimeProvider time)
{
    /// <summary>
    /// Submits <paramref name="jsonBody"/> to the upstream's equivalent of the public <paramref name="path"/>.
    /// Returns the checked answer, or null when there is none (the client has then been answered).
    /// </summary>
    /// <param name="operation">What the call is for, as the upstream latency metric labels it.</param>
    /// <param name="bodyTerms">Which contract's terms <paramref name="jsonBody"/> is in; mapped if the upstream speaks the other.</param>
    public async Task<UpstreamReply?> SendAsync(HttpContext context, string operation, string path, byte[] jsonBody, UpstreamMode bodyTerms)
    {
        var endpoint = target.Current;
        if (endpoint is null)
        {
            await context.WriteKlingErrorAsync(503, ErrorCodes.UpstreamUnavailable, "the upstream is not ready yet");
            return null;
        }

        jsonBody = ContractMapper.Map(jsonBody, bodyTerms, endpoint.Mode);

        // YARP forwards the request's own body: the validated, enriched bytes replace what the client sent.
        var request = context.Request;
        request.Body = new MemoryStream(jsonBody, writable: false);
        request.ContentLength = jsonBody.Length;
        request.Headers.TransferEncoding = default;

        var timeout = options.CurrentValue.Timeout;
        var transformer = new UpstreamTransformer(
            new Uri(endpoint.BaseAddress + endpoint.PathFor(path)), endpoint.Credential.Authorization(), context.GetRequestId(), jsonBody.Length);
        var started = time.GetTimestamp();
        var error = await forwarder.SendAsync(
            context, endpoint.BaseAddress, invoker.Invoker, new ForwarderRequestConfig { ActivityTimeout = timeout }, transformer);
        var elapsed = time.GetElapsedTime(started);
        diagnostics.Set("UpstreamMs", Math.Round(elapsed.TotalMilliseconds, 1));
        metrics.UpstreamCall(operation, transformer.Reply?.StatusCode ?? 0, elapsed);

        UpstreamOutcome outcome;
        if (error == ForwarderError.None && transformer.Reply is { } reply)
        {
            diagnostics.Set("UpstreamStatus", reply.StatusCode);
            outcome = Check(reply, taskId: null);
        }
        else if (error == ForwarderError.None && transformer.AnswerTooLarge)
        {
            outcome = UpstreamAnswer.TooLarge;
        }
        else if (context.RequestAborted.IsCancellationRequested)
        {
            diagnostics.Set("Fault", $"the client went away during the upstream call ({error})");
            return null;
        }
        else
        {
            // The exception's text names the upstream's host: only its type is logged.
            var exception = context.GetForwarderErrorFeature()?.Exception;
            var timedOut = error == ForwarderError.RequestTimedOut || exception is OperationCanceledException;
            outcome = new UpstreamOutcome(null, timedOut ? UpstreamFailure.TimedOut : UpstreamFailure.Unavailable,
                $"{error} ({exception?.GetType().Name ?? "no exception"})");
        }

        if (outcome.Reply is not null)
        {
            return outcome.Reply;
        }

        Report(outcome);
        context.Response.Clear();
        await context.WriteUpstreamFailureAsync(outcome.Failure, timeout);
        return null;
    }

    /// <summary>The upstream's checked answer for the public <paramref name="path"/> of task <paramref name="taskId"/> (null: a lookup by another id), or why there is none.</summary>
    /// <param name="requestId">Sent as <c>X-Request-Id</c>: the client request this call serves, or a new id.</param>
    public async Task<UpstreamOutcome> GetAsync(string operation, string path, string? taskId, string? requestId, CancellationToken cancellationToken)
    {
        if (target.Current is not { } endpoint)
        {
            return new UpstreamOutcome(null, Problem: "the upstream is not ready yet");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CurrentValue.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        UpstreamRequest.Prepare(request, new Uri(endpoint.BaseAddress + endpoint.PathFor(path)), endpoint.Credential.Authorization(),
            requestId ?? RequestIdMiddleware.NewId(), contentLength: null);
        var started = time.GetTimestamp();
        var status = 0;
        UpstreamOutcome outcome;
        try
        {
            using var response = await invoker.Invoker.SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
            outcome = await ReadAsync(response, timeout.Token) is { } reply ? Check(reply, taskId) : UpstreamAnswer.TooLarge;
        }
        catch (HttpRequestException ex)
        {
            outcome = new UpstreamOutcome(null, UpstreamFailure.Unavailable, $"{ex.HttpRequestError} ({ex.GetType().Name})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = new UpstreamOutcome(null, UpstreamFailure.TimedOut, "no answer within Upstream:Timeout");
        }
        finally
        {
            metrics.UpstreamCall(operation, status, time.GetElapsedTime(started));
        }

        if (outcome.Reply is null)
        {
            Report(outcome);
        }

        return outcome;
    }

    /// <summary>
    /// Reads a whole upstream answer, or null past <see cref="UpstreamAnswer.MaxBytes"/> (refused on its Content-Length,
    /// or once one byte more has come: nothing further is read). Of its headers only <c>Retry-After</c> is kept (none
    /// may name the upstream's host or software). A read that fails fails as the framework's own whole read does.
    /// </summary>
    public static async Task<UpstreamReply?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var length = response.Content.Headers.ContentLength;
        if (length > UpstreamAnswer.MaxBytes)
        {
            return null;
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var body = length is { } exact ? await ReadExactlyAsync(stream, (int)exact, cancellationToken) : await ReadAtMostAsync(stream, cancellationToken);
            return body is null ? null : new((int)response.StatusCode, body, response.Headers.RetryAfter?.ToString());
        }
        catch (IOException ex)
        {
            throw new HttpRequestException("Error while copying content to a stream.", ex);
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int length, CancellationToken cancellationToken)
    {
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return body;
    }

    /// <summary>An answer of unannounced length (chunked), read until it ends or passes the limit.</summary>
    private static async Task<byte[]?> ReadAtMostAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (await stream.ReadAsync(buffer.GetMemory(4096), cancellationToken) is var read and > 0)
        {
            buffer.Advance(read);
            if (buffer.WrittenCount > UpstreamAnswer.MaxBytes)
            {
                return null;
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private UpstreamOutcome Check(UpstreamReply reply, string? taskId) =>
        credentials.IsRejection(reply) ? new UpstreamOutcome(null, UpstreamFailure.CredentialsRejected, $"credentials rejected (HTTP {reply.StatusCode})")
            : UpstreamAnswer.Check(reply, taskId);

    /// <summary>Why there is no answer, on the completion event of the request it serves (one event, no stack trace).</summary>
    private void Report(UpstreamOutcome outcome) => diagnostics.Set("Fault", $"upstream {outcome.Failure}: {outcome.Problem}");
}
