using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kling.Gateway.Errors;

namespace Kling.Gateway.Text2Video;

/// <summary>A submit read, checked and enriched: the request as understood and the exact bytes to forward, in its contract's terms.</summary>
internal sealed record SubmitBody(Text2VideoRequest Request, byte[] Forwarded, Text2VideoContract Contract)
{
    /// <summary>The model the task runs on: the one named, or the contract's default.</summary>
    public string Model => Request.Model ?? Contract.DefaultModel!;

    /// <summary>10 MB of image as Base64 is 13.4 MiB; the rest of the body fits in what remains.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = BodyStructureScanner.MaxDepth + 1, AllowDuplicateProperties = false };

    // Prompts are often not ASCII: forward them as UTF-8 text, not \uXXXX escapes three times the size.
    private static readonly JsonWriterOptions ForwardedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body to forward, or the error to answer with; nothing invalid gets through.</summary>
    public static async Task<(SubmitBody? Body, KlingErrorResult? Error)> ReadAsync(HttpRequest request, Text2VideoRules rules, Text2VideoContract contract)
    {
        if (request.ContentLength > MaxBytes)
        {
            return Refused(BodyViolation.TooLarge, rules, contract);
        }

        var (received, violation) = await ReceivedBody.ReadAsync(
            request.BodyReader, request.ContentLength, MaxBytes, new BodyStructureScanner(contract.Shape), request.HttpContext.RequestAborted);
        if (received is null)
        {
            return Refused(violation!, rules, contract);
        }

        using (received)
        {
            return Parse(received.Memory, rules, contract);
        }
    }

    /// <summary>The rules, on a body whose structure is known to be bounded: at most a few dozen fields, each value within its size.</summary>
    private static (SubmitBody?, KlingErrorResult?) Parse(ReadOnlyMemory<byte> bytes, Text2VideoRules rules, Text2VideoContract contract)
    {
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
            Text2VideoRequest parsed;
            try
            {
                // From the bytes themselves (deserializing the element would copy them first).
                parsed = JsonSerializer.Deserialize(bytes.Span, contract.RequestJson)!;
            }
            catch (JsonException ex)
            {
                return Invalid(400, ErrorCodes.ParameterInvalid, rules.RuleFor(FieldOf(ex.Path), contract));
            }

            if (rules.FindViolation(parsed, contract) is { } violation)
            {
                return Invalid(400, ErrorCodes.ParameterInvalid, violation);
            }

            return (new SubmitBody(parsed, Enrich(document.RootElement, parsed, contract), contract), null);
        }
    }

    /// <summary>
    /// The client's body as sent (unknown fields and every value untouched, image_tail never copied out), with
    /// <c>duration</c> as the string the upstream expects, and the documented defaults added.
    /// Names and values are copied as raw bytes into an array of the exact size: nothing is decoded or re-encoded.
    /// </summary>
    private static byte[] Enrich(JsonElement root, Text2VideoRequest parsed, Text2VideoContract contract)
    {
        // The defaults and duration, written as an object whose braces are left out below.
        var added = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(added, ForwardedJson))
        {
            writer.WriteStartObject();
            WriteDefault(writer, contract.ModelField, parsed.Model is null, contract.DefaultModel!, ContractJsonContext.Default.String);
            WriteDefault(writer, "cfg_scale", parsed.CfgScale is null, contract.CfgScaleDefault, ContractJsonContext.Default.Double);
            WriteDefault(writer, "mode", parsed.Mode is null, Text2VideoDefaults.Mode, ContractJsonContext.Default.VideoMode);
            WriteDefault(writer, "aspect_ratio", parsed.AspectRatio is null, Text2VideoDefaults.Ratio, ContractJsonContext.Default.AspectRatio);
            WriteDefault(writer, "duration", true, parsed.Duration ?? Text2VideoDefaults.Duration, ContractJsonContext.Default.VideoDuration);
            writer.WriteEndObject();
        }

        // Never empty: duration is always written.
        var tail = added.WrittenSpan[1..^1];
        var size = 2 + tail.Length;
        foreach (var property in root.EnumerateObject())
        {
            if (IsForwarded(property))
            {
                // "name":value and the comma before what follows.
                size += JsonMarshal.GetRawUtf8PropertyName(property).Length + 3 + JsonMarshal.GetRawUtf8Value(property.Value).Length + 1;
            }
        }

        var forwarded = new byte[size];
        var at = 0;
        forwarded[at++] = (byte)'{';
        foreach (var property in root.EnumerateObject())
        {
            if (IsForwarded(property))
            {
                forwarded[at++] = (byte)'"';
                at += Copy(JsonMarshal.GetRawUtf8PropertyName(property), forwarded, at);
                forwarded[at++] = (byte)'"';
                forwarded[at++] = (byte)':';
                at += Copy(JsonMarshal.GetRawUtf8Value(property.Value), forwarded, at);
                forwarded[at++] = (byte)',';
            }
        }

        at += Copy(tail, forwarded, at);
        forwarded[at] = (byte)'}';
        return forwarded;
    }

    private static bool IsForwarded(JsonProperty property) => !property.NameEquals("duration"u8);

    private static int Copy(ReadOnlySpan<byte> from, byte[] to, int at)
    {
        from.CopyTo(to.AsSpan(at));
        return from.Length;
    }

    private static void WriteDefault<T>(Utf8JsonWriter writer, string name, bool write, T value, JsonTypeInfo<T> json)
    {
        if (write)
        {
            writer.WritePropertyName(name);
            JsonSerializer.Serialize(writer, value, json);
        }
    }

    private static (SubmitBody?, KlingErrorResult?) Invalid(int status, int code, string message) => (null, new KlingErrorResult(status, code, message));

    private static (SubmitBody?, KlingErrorResult?) Refused(BodyViolation violation, Text2VideoRules rules, Text2VideoContract contract) =>
        Invalid(violation.Status, violation.Code, violation.Message ?? rules.RuleFor(violation.RuleField!, contract));

    /// <summary>"$.camera_control.config.pan" becomes "camera_control.config.pan".</summary>
    private static string FieldOf(string? path) =>
        path is null || !path.StartsWith("$.", StringComparison.Ordinal) ? "" : path[2..];
}
