using System.Text.Json;
using Kling.Gateway.Errors;

namespace Kling.Gateway.Upstream;

/// <summary>
/// Checks that an upstream answer is a Kling envelope before anything of it reaches a client or the store:
/// a success is code 0 with <c>data.task_id</c> and <c>data.task_status</c> (the queried task's id, on a query);
/// a 4xx keeps its code and its message (at most <see cref="MaxMessageLength"/> characters); a 5xx keeps its code
/// under the gateway's own message. Anything else is not an envelope.
/// </summary>
internal static class UpstreamAnswer
{
    public const int MaxMessageLength = 500;

    /// <summary>
    /// The largest answer read from the upstream (1 MiB). A Kling answer is a few kilobytes; anything past this is not
    /// one, and reading it whole would let the upstream, or whatever answers in its name, fill the gateway's memory.
    /// </summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Why an answer past <see cref="MaxBytes"/> is refused: it cannot be a Kling envelope.</summary>
    public static readonly UpstreamOutcome TooLarge = NotAnEnvelope($"an answer of more than {MaxBytes} bytes");

    private static readonly JsonDocumentOptions Reading = new() { MaxDepth = 64 };

    /// <param name="taskId">The task a query asked about; null for a submit.</param>
    public static UpstreamOutcome Check(UpstreamReply reply, string? taskId)
    {
        try
        {
            using var document = JsonDocument.Parse(reply.Body, Reading);
            return Check(reply, document.RootElement, taskId);
        }
        catch (JsonException)
        {
            return NotAnEnvelope("the body is not JSON");
        }
    }

    private static UpstreamOutcome Check(UpstreamReply reply, JsonElement root, string? taskId)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return NotAnEnvelope("the body is not a JSON object");
        }

        if (!root.TryGetProperty("code", out var codeElement) || codeElement.ValueKind != JsonValueKind.Number
            || !codeElement.TryGetInt32(out var code))
        {
            return NotAnEnvelope("no integer code");
        }

        var upstreamRequestId = root.TryGetProperty("request_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        switch (reply.StatusCode)
        {
            case >= 200 and < 300:
                return code != 0 ? NotAnEnvelope("a success with a non-zero code")
                    : HasTask(root, taskId) ? new UpstreamOutcome(reply)
                    : NotAnEnvelope(taskId is null ? "a success without data.task_id" : "a success without the queried data.task_id");
            case >= 400 and < 500 when code != 0:
                var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } text
                    ? Trim(text)
                    : $"the upstream refused the request (code {code})";
                return new UpstreamOutcome(reply with { Body = KlingEnvelope.Error(code, message, upstreamRequestId) });
            case >= 500 and < 600 when code != 0:
                // The upstream's internals (hosts, paths, stack traces) never reach tenants.
                return new UpstreamOutcome(reply with
                {
                    Body = KlingEnvelope.Error(code, $"the upstream failed to process the request (HTTP {reply.StatusCode}, code {code}); try again later", upstreamRequestId),
                });
            default:
                return NotAnEnvelope($"HTTP {reply.StatusCode} with code {code}");
        }
    }

    private static bool HasTask(JsonElement root, string? taskId) =>
        root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("task_id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } value
        && (taskId is null || value == taskId)
        && data.TryGetProperty("task_status", out var status) && status.ValueKind == JsonValueKind.String;

    /// <summary>At most <see cref="MaxMessageLength"/> characters, never half a surrogate pair.</summary>
    private static string Trim(string message)
    {
        if (message.Length <= MaxMessageLength)
        {
            return message;
        }

        var length = char.IsHighSurrogate(message[MaxMessageLength - 1]) ? MaxMessageLength - 1 : MaxMessageLength;
        return message[..length];
    }

    private static UpstreamOutcome NotAnEnvelope(string problem) => new(null, UpstreamFailure.NotAnEnvelope, problem);
}
