namespace Kling.Gateway.Text2Video;

/// <summary>Why a submit body is refused: the answer's status and Kling code, and either a message or the field whose rule applies.</summary>
internal sealed record BodyViolation(int Status, int Code, string? Message, string? RuleField = null)
{
    public static BodyViolation TooLarge { get; } = new(413, Errors.ErrorCodes.ParameterInvalid,
        $"request body must be at most {SubmitBody.MaxBytes / (1024 * 1024)} MiB (image_tail at most 10 MB decoded)");

    /// <summary>The body budget is spent by other requests: shed, to be retried (with <c>Retry-After</c>).</summary>
    public static BodyViolation Busy { get; } = new(503, Errors.ErrorCodes.UpstreamUnavailable,
        "the gateway is buffering as many request bodies as its memory allows: retry in a second");

    public static BodyViolation TimedOut(TimeSpan limit) => new(408, Errors.ErrorCodes.BodyNotParsable,
        $"request body did not arrive whole within {limit.TotalSeconds:0.###} s");

    public static BodyViolation Parameter(string message) => new(400, Errors.ErrorCodes.ParameterInvalid, message);

    public static BodyViolation Rule(string field) => new(400, Errors.ErrorCodes.ParameterInvalid, null, field);

    public static BodyViolation NotParsable(string message) => new(400, Errors.ErrorCodes.BodyNotParsable, message);
}
