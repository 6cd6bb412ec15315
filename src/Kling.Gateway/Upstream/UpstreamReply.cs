using Kling.Gateway.Errors;
using Kling.Gateway.Observability;

namespace Kling.Gateway.Upstream;

/// <summary>What the upstream answered: its status and its whole (small, JSON) body.</summary>
/// <param name="RetryAfter">The upstream's <c>Retry-After</c>, passed on with its answer.</param>
internal sealed record UpstreamReply(int StatusCode, byte[] Body, string? RetryAfter = null)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>
    /// Sends the answer in the gateway's envelope: this request's <c>request_id</c> (the upstream's own goes to
    /// <c>X-Upstream-Request-Id</c>), <c>"success"</c> for code 0, the gateway's JSON content type.
    /// </summary>
    public Task WriteAsync(HttpContext context)
    {
        var body = KlingEnvelope.ForClient(Body, context.GetRequestId(), out var upstreamRequestId);
        var response = context.Response;
        response.StatusCode = StatusCode;
        response.ContentType = KlingErrorWriter.JsonContentType;
        response.ContentLength = body.Length;
        if (RequestIdMiddleware.IsPlainToken(upstreamRequestId))
        {
            response.Headers[RequestIdMiddleware.UpstreamHeaderName] = upstreamRequestId;
        }

        if (RetryAfter is not null)
        {
            response.Headers.RetryAfter = RetryAfter;
        }

        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
