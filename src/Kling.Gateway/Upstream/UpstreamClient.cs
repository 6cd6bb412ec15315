using Kling.Gateway.Observability;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Upstream;

/// <summary>Calls the gateway makes on its own behalf (no client request to forward), e.g. refreshing running tasks.</summary>
internal sealed class UpstreamClient(
    UpstreamInvoker invoker,
    UpstreamTarget target,
    UpstreamCredentialWatch credentials,
    IOptionsMonitor<UpstreamOptions> options,
    GatewayMetrics metrics,
    TimeProvider time)
{
    /// <summary>The upstream's answer for the public <paramref name="path"/>, or null when it could not be had in time or was refused.</summary>
    public async Task<UpstreamReply?> GetAsync(string operation, string path, CancellationToken cancellationToken)
    {
        if (target.Current is not { } endpoint)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CurrentValue.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.BaseAddress + endpoint.PathFor(path));
        request.Headers.TryAddWithoutValidation("Authorization", endpoint.Credential.Authorization());
        request.Headers.TryAddWithoutValidation(RequestIdMiddleware.HeaderName, Guid.CreateVersion7().ToString("N"));
        var started = time.GetTimestamp();
        var status = 0;
        try
        {
            using var response = await invoker.Invoker.SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
            var reply = new UpstreamReply(status, await response.Content.ReadAsByteArrayAsync(timeout.Token));
            return credentials.IsRejection(reply) ? null : reply;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
        finally
        {
            metrics.UpstreamCall(operation, status, time.GetElapsedTime(started));
        }
    }
}
