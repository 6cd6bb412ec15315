using Kling.Gateway.Observability;
using Kling.Gateway.Text2Video;

namespace Kling.Gateway.Errors;

/// <summary>Writes the Kling error envelope; the one place every gateway-made error goes through.</summary>
internal static class KlingErrorWriter
{
    public static Task WriteKlingErrorAsync(this HttpContext context, int status, int code, string message)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        var error = new KlingError(code, message, context.GetRequestId());
        return response.WriteAsJsonAsync(error, ContractJsonContext.Default.KlingError, contentType: null, context.RequestAborted);
    }
}
