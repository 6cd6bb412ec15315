using System.Text.Json.Serialization;

namespace Kling.Gateway.Errors;

/// <summary>Kling's error envelope.</summary>
/// <param name="Code">Non-zero Kling error code (see the error table).</param>
/// <param name="Message">What went wrong, naming the field and the rule where one was broken.</param>
/// <param name="RequestId">The request id, also sent as the <c>X-Request-Id</c> response header.</param>
internal sealed record KlingError(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("request_id")] string RequestId);
