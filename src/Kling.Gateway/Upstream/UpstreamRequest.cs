using System.Net.Http.Headers;
using Kling.Gateway.Observability;

namespace Kling.Gateway.Upstream;

/// <summary>
/// The one place that decides what an upstream request carries. Nothing is copied from the client: the request gets
/// the upstream's URI (hence its <c>Host</c>), the upstream credential, <c>Accept</c>, the gateway's <c>User-Agent</c>,
/// <c>X-Request-Id</c> and, with a body, its JSON <c>Content-Type</c> and <c>Content-Length</c>. The handler adds the
/// gateway span's trace context (<c>traceparent</c>/<c>tracestate</c>); no other header exists to leak.
/// </summary>
internal static class UpstreamRequest
{
    public const string UserAgent = "kling-gateway/1.0";

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    /// <param name="contentLength">The body's length when the request has one.</param>
    public static void Prepare(HttpRequestMessage request, Uri uri, string authorization, string requestId, long? contentLength)
    {
        request.RequestUri = uri;
        var headers = request.Headers;
        headers.Clear();
        headers.TryAddWithoutValidation("Authorization", authorization);
        headers.Accept.Add(AcceptJson);
        headers.TryAddWithoutValidation("User-Agent", UserAgent);
        headers.TryAddWithoutValidation(RequestIdMiddleware.HeaderName, requestId);
        if (request.Content is { } content)
        {
            content.Headers.Clear();
            content.Headers.ContentType = Json;
            content.Headers.ContentLength = contentLength;
        }
    }
}
