using System.Text.Json;
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

        if (!IsSuccess)
        {
            var (code, message) = ErrorOf(body);
            context.SetKlingError(code, "upstream: " + message);
        }

        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>The envelope's top-level code and message (0 and empty when absent or not JSON).</summary>
    private static (int Code, string Message) ErrorOf(byte[] body)
    {
        var (code, message) = (0, "");
        try
        {
            var reader = new Utf8JsonReader(body);
            while (reader.Read())
            {
                if (reader.CurrentDepth != 1 || reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                var isCode = reader.ValueTextEquals("code"u8);
                var isMessage = reader.ValueTextEquals("message"u8);
                reader.Read();
                if (isCode && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                {
                    code = value;
                }
                else if (isMessage && reader.TokenType == JsonTokenType.String)
                {
                    message = reader.GetString()!;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // not an envelope: the status tells the rest
        }

        return (code, message);
    }
}
