using Kling.Gateway.Observability;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Upstream;

/// <summary>
/// Upstream calls that are not one client's forwarded request: a task query shared by every poll waiting on it, and the
/// refresher's queries.
/// </summary>
internal sealed class UpstreamClient(
    UpstreamInvoker invoker,
    UpstreamTarget target,
    UpstreamCredentialWatch credentials,
    IOptionsMonitor<UpstreamOptions> options,
    GatewayMetrics metrics,
    TimeProvider time)
{
    /// <summary>The upstream's answer for the public <paramref name="path"/>, or why there is none.</summary>
    /// <param name="requestId">Sent as <c>X-Request-Id</c>: the client request this call serves, or a new id.</param>
    public async Task<UpstreamOutcome> GetAsync(string operation, string path, string? requestId, CancellationToken cancellationToken)
    {
        if (target.Current is not { } endpoint)
        {
            return new UpstreamOutcome(null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CurrentValue.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BaseAddress + endpoint.PathFor(path));
        request.Headers.TryAddWithoutValidation("Authorization", endpoint.Credential.Authorization());
        request.Headers.TryAddWithoutValidation(RequestIdMiddleware.HeaderName, requestId ?? RequestIdMiddleware.NewId());
        var started = time.GetTimestamp();
        var status = 0;
        try
        {
            using var response = await invoker.Invoker.SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
            var reply = new UpstreamReply(status, await response.Content.ReadAsByteArrayAsync(timeout.Token));
            return credentials.IsRejection(reply) ? new UpstreamOutcome(null, UpstreamFailure.CredentialsRejected) : new UpstreamOutcome(reply);
        }
        catch (HttpRequestException)
        {
            return new UpstreamOutcome(null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new UpstreamOutcome(null, UpstreamFailure.TimedOut);
        }
        finally
        {
            metrics.UpstreamCall(operation, status, time.GetElapsedTime(started));
        }
    }
}
