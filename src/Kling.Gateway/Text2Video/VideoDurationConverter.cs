using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// Reads <c>"5"</c>/<c>"10"</c> or the bare numbers 5/10 exactly as written (not 5.0, 5e0 or "05"); always writes the
/// string form the upstream expects.
/// </summary>
internal sealed class VideoDurationConverter : JsonConverter<VideoDuration>
{
    public override VideoDuration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String when reader.ValueTextEquals("5"u8) => VideoDuration.Five,
            JsonTokenType.String when reader.ValueTextEquals("10"u8) => VideoDuration.Ten,
            JsonTokenType.Number when reader.ValueSpan.SequenceEqual("5"u8) => VideoDuration.Five,
            JsonTokenType.Number when reader.ValueSpan.SequenceEqual("10"u8) => VideoDuration.Ten,
            _ => throw new JsonException("duration must be \"5\" or \"10\""),
        };

    public override void Write(Utf8JsonWriter writer, VideoDuration value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value == VideoDuration.Ten ? "10" : "5");
}
