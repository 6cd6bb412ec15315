using Kling.Gateway.Observability;
using Kling.Gateway.Text2Video;

namespace Kling.Gateway.Errors;

/// <summary>Writes the Kling error envelope; the one place every gateway-made error goes through.</summary>
internal static class KlingErrorWriter
{
    public static Task WriteKlingErrorAsync(this HttpContext context, int status, int code, string message)
    {
        var response = context.Response;
        var requestId = context.GetRequestId();
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        // Set again: a cleared response (after a failed upstream call) has lost it.
        response.Headers[RequestIdMiddleware.HeaderName] = requestId;
        var error = new KlingError(code, message, requestId);
        return response.WriteAsJsonAsync(error, ContractJsonContext.Default.KlingError, contentType: null, context.RequestAborted);
    }
}
