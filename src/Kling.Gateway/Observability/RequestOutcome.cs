using Serilog;

namespace Kling.Gateway.Observability;

/// <summary>What the completion event says about an answer that is not a success: the Kling code and why.</summary>
internal static class RequestOutcome
{
    private const int MaxReasonLength = 200;

    /// <param name="reason">The envelope's message: it names a field and a rule, never a key, prompt or image.</param>
    public static void SetKlingError(this HttpContext context, int code, string reason)
    {
        var diagnostics = context.RequestServices?.GetService<IDiagnosticContext>();
        diagnostics?.Set("KlingCode", code);
        diagnostics?.Set("Reason", reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength] + "…");
    }
}
