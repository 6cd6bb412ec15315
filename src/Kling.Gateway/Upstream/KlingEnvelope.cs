using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kling.Gateway.Upstream;

/// <summary>The Kling envelope <c>{code, message, request_id, data}</c> of answers that came from the upstream.</summary>
internal static class KlingEnvelope
{
    private const string Success = "success";

    private static readonly JsonWriterOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>An error envelope; <paramref name="requestId"/> is the upstream's (replaced by the gateway's when answered).</summary>
    public static byte[] Error(int code, string message, string? requestId)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + message.Length);
        using (var writer = new Utf8JsonWriter(buffer, Writing))
        {
            writer.WriteStartObject();
            writer.WriteNumber("code", code);
            writer.WriteString("message", message);
            if (requestId is not null)
            {
                writer.WriteString("request_id", requestId);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The answer as a client gets it: <c>request_id</c> is this request's (the upstream's own is handed back in
    /// <paramref name="upstreamRequestId"/>) and a success says <c>"message": "success"</c> whatever the upstream wrote
    /// (the official API says <c>"SUCCEED"</c>); every other byte stays as the upstream wrote it.
    /// </summary>
    public static byte[] ForClient(byte[] answer, string requestId, out string? upstreamRequestId)
    {
        upstreamRequestId = null;
        int? code = null;
        Range? message = null;
        Range? id = null;
        var start = 0;
        var properties = 0;
        var reader = new Utf8JsonReader(answer);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return answer;
            }

            start = (int)reader.BytesConsumed;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                properties++;
                var name = reader.ValueTextEquals("code"u8) ? 1 : reader.ValueTextEquals("message"u8) ? 2 : reader.ValueTextEquals("request_id"u8) ? 3 : 0;
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                var valueToken = reader.TokenType;
                var givenId = name == 3 && valueToken == JsonTokenType.String ? reader.GetString() : null;
                int? number = name == 1 && valueToken == JsonTokenType.Number && reader.TryGetInt32(out var read) ? read : null;
                // The whole value, an object's or array's closing bracket included, is what an edit replaces.
                reader.Skip();
                var value = new Range(valueStart, (int)reader.BytesConsumed);
                switch (name)
                {
                    case 1 when number is not null:
                        code = number;
                        break;
                    case 2:
                        message = value;
                        break;
                    case 3:
                        id = value;
                        upstreamRequestId = givenId;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return answer;
        }

        // Request ids are plain tokens (letters, digits, - _ . :): nothing to escape.
        var insertAt = new Range(start, start);
        var edits = new List<(Range At, ReadOnlyMemory<byte> Text)>(2)
        {
            (id ?? insertAt, Utf8(id is null ? $"\"request_id\":\"{requestId}\"{(properties > 0 ? "," : "")}" : $"\"{requestId}\"")),
        };
        if (code == 0)
        {
            // A code means a property follows whatever is inserted here.
            var edit = (message ?? insertAt, Utf8(message is null ? $"\"message\":\"{Success}\"," : $"\"{Success}\""));
            // In the body's order; two insertions at the start stay in this order.
            edits.Insert(edit.Item1.Start.Value < edits[0].At.Start.Value ? 0 : 1, edit);
        }

        return JsonSplice.Apply(answer, CollectionsMarshal.AsSpan(edits));
    }

    private static ReadOnlyMemory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
