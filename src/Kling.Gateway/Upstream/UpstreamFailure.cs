using Kling.Gateway.Errors;

namespace Kling.Gateway.Upstream;

/// <summary>Why there is no upstream answer to give.</summary>
internal enum UpstreamFailure
{
    Unavailable,
    TimedOut,
    CredentialsRejected,
    NotAnEnvelope,
}

/// <summary>An upstream call's result: the answer, or why there is none.</summary>
/// <param name="Problem">What was wrong, for the log (never for the client).</param>
internal sealed record UpstreamOutcome(UpstreamReply? Reply, UpstreamFailure Failure = UpstreamFailure.Unavailable, string? Problem = null);

internal static class UpstreamFailureResponses
{
    /// <summary>The client's answer for a failed upstream call; nothing in it names the upstream's host or key.</summary>
    public static Task WriteUpstreamFailureAsync(this HttpContext context, UpstreamFailure failure, TimeSpan timeout) => failure switch
    {
        UpstreamFailure.TimedOut => context.WriteKlingErrorAsync(504, ErrorCodes.UpstreamTimeout, $"the upstream did not answer within {timeout.TotalSeconds:0.###} s"),
        UpstreamFailure.CredentialsRejected => context.WriteKlingErrorAsync(502, ErrorCodes.UpstreamUnavailable, UpstreamCredentialWatch.ClientMessage),
        UpstreamFailure.NotAnEnvelope => context.WriteKlingErrorAsync(502, ErrorCodes.InternalError, "the upstream's answer was not a valid Kling response; nothing was recorded, try again later"),
        _ => context.WriteKlingErrorAsync(503, ErrorCodes.UpstreamUnavailable, "the upstream service is unavailable, try again later"),
    };
}
