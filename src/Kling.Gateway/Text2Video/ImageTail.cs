using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// What the gateway needs to know of <c>image_tail</c>: whether it is acceptable. The value itself (up to 13 MB of
/// Base64) is never copied out of the request: it is forwarded straight from the body the client sent.
/// </summary>
[JsonConverter(typeof(ImageTailConverter))]
internal sealed record ImageTail(bool IsValid)
{
    public const int MaxImageBytes = 10 * 1024 * 1024;

    /// <summary>An http(s) URL, or Base64 JPEG/PNG data (raw or <c>data:image/...;base64,</c>) of at most 10 MB decoded.</summary>
    public static bool Accepts(ReadOnlySpan<byte> utf8)
    {
        if (StartsWith(utf8, "http://"u8) || StartsWith(utf8, "https://"u8))
        {
            return Text2VideoRules.IsHttpUrl(Encoding.UTF8.GetString(utf8));
        }

        var data = utf8;
        if (StartsWith(data, "data:"u8))
        {
            var comma = data.IndexOf((byte)',');
            if (comma < 0 || !IsImageMediaType(data[5..comma]))
            {
                return false;
            }

            data = data[(comma + 1)..];
        }

        if (!Base64.IsValid(data, out var decodedLength) || decodedLength == 0 || decodedLength > MaxImageBytes)
        {
            return false;
        }

        // The first bytes tell JPEG and PNG apart from everything else.
        Span<byte> head = stackalloc byte[9];
        return Base64.DecodeFromUtf8(data[..Math.Min(data.Length, 12)], head, out _, out var written) is System.Buffers.OperationStatus.Done
                   or System.Buffers.OperationStatus.NeedMoreData
               && IsJpegOrPng(head[..written]);
    }

    private static bool StartsWith(ReadOnlySpan<byte> value, ReadOnlySpan<byte> prefix) =>
        value.Length >= prefix.Length && Ascii.EqualsIgnoreCase(value[..prefix.Length], prefix);

    private static bool IsImageMediaType(ReadOnlySpan<byte> mediaType) =>
        Ascii.EqualsIgnoreCase(mediaType, "image/jpeg;base64"u8)
        || Ascii.EqualsIgnoreCase(mediaType, "image/jpg;base64"u8)
        || Ascii.EqualsIgnoreCase(mediaType, "image/png;base64"u8);

    private static bool IsJpegOrPng(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
}

/// <summary>Checks <c>image_tail</c> on the request's own UTF-8 bytes, without making a string of it.</summary>
internal sealed class ImageTailConverter : JsonConverter<ImageTail>
{
    public override ImageTail Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("image_tail must be a string");
        }

        // Escapes (e.g. "https:\/\/...") are rare and short: only then is the value unescaped into a copy.
        var valid = reader is { ValueIsEscaped: false, HasValueSequence: false }
            ? ImageTail.Accepts(reader.ValueSpan)
            : ImageTail.Accepts(Encoding.UTF8.GetBytes(reader.GetString()!));
        return new ImageTail(valid);
    }

    public override void Write(Utf8JsonWriter writer, ImageTail value, JsonSerializerOptions options) =>
        throw new NotSupportedException("image_tail is forwarded from the client's body, never written from this type");
}
