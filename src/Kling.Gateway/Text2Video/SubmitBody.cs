using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Kling.Gateway.BodyLimits;
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

    /// <summary>
    /// The body to forward, or the error to answer with; nothing invalid gets through. The buffers it takes are counted
    /// in <paramref name="budget"/> until the response ends, and the whole body must arrive within <paramref name="readTimeout"/>
    /// (on <paramref name="time"/>'s clock).
    /// </summary>
    public static async Task<(SubmitBody? Body, KlingErrorResult? Error)> ReadAsync(
        HttpRequest request, Text2VideoRules rules, Text2VideoContract contract, BodyBudget budget, TimeSpan readTimeout, TimeProvider time)
    {
        if (request.ContentLength > MaxBytes)
        {
            return Refused(request, BodyViolation.TooLarge, rules, contract);
        }

        var lease = new BodyLease(budget);
        request.HttpContext.Response.RegisterForDispose(lease);
        if (request.ContentLength is { } announced && !lease.TryReserve(CostOf(announced), announced))
        {
            return Refused(request, BodyViolation.Busy, rules, contract);
        }

        var aborted = request.HttpContext.RequestAborted;
        using var timer = new CancellationTokenSource(readTimeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted, timer.Token);
        ReceivedBody? received;
        BodyViolation? violation;
        try
        {
            (received, violation) = await ReceivedBody.ReadAsync(
                request.BodyReader, request.ContentLength, MaxBytes, new BodyStructureScanner(contract.Shape), lease, deadline.Token);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            lease.Dispose();
            return Refused(request, BodyViolation.TimedOut(readTimeout), rules, contract);
        }

        if (received is null)
        {
            lease.Dispose();
            return Refused(request, violation!, rules, contract);
        }

        using (received)
        {
            return Parse(request, received.Memory, rules, contract, lease);
        }
    }

    /// <summary>
    /// What a body of <paramref name="bytes"/> holds at its peak: its buffer, then the forwarded copy and the upstream's
    /// copy of that (each at most the body and the added defaults).
    /// </summary>
    private static long CostOf(long bytes) => (3 * bytes) + (2 * AddedBytes);

    /// <summary>At most what the defaults and <c>duration</c> add to a forwarded body.</summary>
    private const int AddedBytes = 128;

    /// <summary>The rules, on a body whose structure is known to be bounded: at most a few dozen fields, each value within its size.</summary>
    private static (SubmitBody?, KlingErrorResult?) Parse(HttpRequest request, ReadOnlyMemory<byte> bytes, Text2VideoRules rules, Text2VideoContract contract, BodyLease lease)
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

            return Enrich(document.RootElement, parsed, contract, lease) is { } forwarded
                ? (new SubmitBody(parsed, forwarded, contract), null)
                : Refused(request, BodyViolation.Busy, rules, contract);
        }
    }

    /// <summary><c>,"callback_url":"..."</c> naming the gateway's own hint URL, to add to the forwarded body's upstream copy.</summary>
    public static byte[] CallbackUrlField(string url) =>
        [.. ",\"callback_url\":\""u8, .. JsonEncodedText.Encode(url).EncodedUtf8Bytes, .. "\""u8];

    /// <summary>
    /// The client's body as sent (unknown fields and every value untouched, image_tail never copied out), without its
    /// callback_url (which stays with the gateway), with <c>duration</c> as the string the upstream expects, and the
    /// documented defaults added.
    /// Names and values are copied as raw bytes into an array of the exact size: nothing is decoded or re-encoded.
    /// Null when <paramref name="lease"/> cannot take that size: the array and the upstream's copy of it (which carries
    /// the gateway's external id) are counted until the response ends.
    /// </summary>
    private static byte[]? Enrich(JsonElement root, Text2VideoRequest parsed, Text2VideoContract contract, BodyLease lease)
    {
        // The defaults and duration, written as an object whose braces are left out below.
        var added = new ArrayBufferWriter<byte>(AddedBytes);
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

        if (!lease.TryTake(2L * size))
        {
            return null;
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

    private static bool IsForwarded(JsonProperty property) => !property.NameEquals("duration"u8) && !property.NameEquals("callback_url"u8);

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

    private static (SubmitBody?, KlingErrorResult?) Refused(HttpRequest request, BodyViolation violation, Text2VideoRules rules, Text2VideoContract contract)
    {
        var headers = request.HttpContext.Response.Headers;
        if (violation == BodyViolation.Busy)
        {
            headers.RetryAfter = "1";
        }
        else if (violation.Status == StatusCodes.Status408RequestTimeout)
        {
            // The rest of a stalled body will not come: close the connection rather than wait to drain it.
            headers.Connection = "close";
        }

        return Invalid(violation.Status, violation.Code, violation.Message ?? rules.RuleFor(violation.RuleField!, contract));
    }

    /// <summary>"$.camera_control.config.pan" becomes "camera_control.config.pan".</summary>
    private static string FieldOf(string? path) =>
        path is null || !path.StartsWith("$.", StringComparison.Ordinal) ? "" : path[2..];
}
