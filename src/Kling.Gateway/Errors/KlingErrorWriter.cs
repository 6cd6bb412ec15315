using System.Text.Encodings.Web;
using System.Text.Json;
using Kling.Gateway.Observability;

namespace Kling.Gateway.Errors;

/// <summary>Writes the Kling error envelope; the one place every gateway-made error goes through.</summary>
internal static class KlingErrorWriter
{
    /// <summary>The one content type of every answer the gateway gives.</summary>
    public const string JsonContentType = "application/json; charset=utf-8";

    // Messages quote characters such as ' and +: keep them readable rather than \u0027-escaped (the body is JSON, never HTML).
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteKlingErrorAsync(this HttpContext context, int status, int code, string message)
    {
        var response = context.Response;
        var requestId = context.GetRequestId();
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        response.Headers.CacheControl = "no-store";
        // Set again: a cleared response (after a failed upstream call) has lost it.
        response.Headers[RequestIdMiddleware.HeaderName] = requestId;
        context.SetKlingError(code, message);
        await using var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        writer.WriteString("request_id", requestId);
        writer.WriteEndObject();
    }
}
