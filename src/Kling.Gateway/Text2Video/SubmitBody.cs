using System.Buffers;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kling.Gateway.Errors;

namespace Kling.Gateway.Text2Video;

/// <summary>A submit read, checked and enriched: the request as understood and the exact bytes to forward.</summary>
internal sealed record SubmitBody(Text2VideoRequest Request, byte[] Forwarded)
{
    /// <summary>10 MB of image as Base64 is 13.4 MiB; the rest of the body fits in what remains.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    // Prompts are often not ASCII: forward them as UTF-8 text, not \uXXXX escapes three times the size.
    private static readonly JsonTypeInfo<Text2VideoRequest> ForwardedJson = (JsonTypeInfo<Text2VideoRequest>)
        new JsonSerializerOptions(ContractJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }
            .GetTypeInfo(typeof(Text2VideoRequest));

    /// <summary>The body to forward, or the error to answer with; nothing invalid gets through.</summary>
    public static async Task<(SubmitBody? Body, KlingErrorResult? Error)> ReadAsync(HttpRequest request, Text2VideoRules rules)
    {
        if (request.ContentLength > MaxBytes)
        {
            return TooLarge();
        }

        var bytes = await ReadBoundedAsync(request.BodyReader, request.HttpContext.RequestAborted);
        if (bytes is null)
        {
            return TooLarge();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return Invalid(400, ErrorCodes.BodyNotParsable, "request body is not valid JSON: " + ex.Message);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Invalid(400, ErrorCodes.BodyNotParsable, "request body must be a JSON object");
            }

            Text2VideoRequest parsed;
            try
            {
                parsed = document.RootElement.Deserialize(ContractJsonContext.Default.Text2VideoRequest)!;
            }
            catch (JsonException ex)
            {
                return Invalid(400, ErrorCodes.ParameterInvalid, rules.RuleFor(FieldOf(ex.Path)));
            }

            if (rules.FindViolation(parsed) is { } violation)
            {
                return Invalid(400, ErrorCodes.ParameterInvalid, violation);
            }

            var enriched = Text2VideoDefaults.Apply(parsed);
            return (new SubmitBody(enriched, JsonSerializer.SerializeToUtf8Bytes(enriched, ForwardedJson)), null);
        }
    }

    private static (SubmitBody?, KlingErrorResult?) Invalid(int status, int code, string message) => (null, new KlingErrorResult(status, code, message));

    private static (SubmitBody?, KlingErrorResult?) TooLarge() =>
        Invalid(413, ErrorCodes.ParameterInvalid, $"request body must be at most {MaxBytes / (1024 * 1024)} MiB (image_tail at most 10 MB decoded)");

    /// <summary>"$.camera_control.config.pan" becomes "camera_control.config.pan".</summary>
    private static string FieldOf(string? path) =>
        path is null || !path.StartsWith("$.", StringComparison.Ordinal) ? "" : path[2..];

    /// <summary>The whole body, or null as soon as it exceeds <see cref="MaxBytes"/>.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > MaxBytes)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return bytes;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
