using Kling.Gateway.Observability;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Kling.Gateway.Upstream;

/// <summary>
/// Per-request transform: swaps the tenant's credential for the upstream's, sets the exact upstream URI,
/// and captures the upstream's answer instead of streaming it, so the caller can inspect it before replying.
/// </summary>
internal sealed class UpstreamTransformer(Uri requestUri, string authorization, string requestId) : HttpTransformer
{
    public UpstreamReply? Reply { get; private set; }

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var headers = proxyRequest.Headers;
        headers.Remove(HeaderNames.Authorization);
        headers.Remove(HeaderNames.Cookie);
        // The answer is parsed here, so ask for it uncompressed.
        headers.Remove(HeaderNames.AcceptEncoding);
        headers.Remove(RequestIdMiddleware.HeaderName);
        // A tenant's idempotency key is the gateway's business: upstream it would let tenants replay each other's tasks.
        headers.Remove("Idempotency-Key");
        headers.TryAddWithoutValidation(HeaderNames.Authorization, authorization);
        headers.TryAddWithoutValidation(RequestIdMiddleware.HeaderName, requestId);
        proxyRequest.RequestUri = requestUri;
    }

    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }

        var body = await proxyResponse.Content.ReadAsByteArrayAsync(cancellationToken);
        // Only headers that describe the answer: nothing that could name the upstream's host or software.
        var headers = httpContext.Response.Headers;
        headers.ContentType = proxyResponse.Content.Headers.ContentType?.ToString();
        if (proxyResponse.Headers.RetryAfter is { } retryAfter)
        {
            headers.RetryAfter = retryAfter.ToString();
        }

        Reply = new UpstreamReply((int)proxyResponse.StatusCode, body);
        return false;
    }
}
