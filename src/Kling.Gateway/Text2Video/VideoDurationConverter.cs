using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kling.Gateway.Text2Video;

/// <summary>Reads <c>"5"</c>/<c>"10"</c> or a bare 5/10; always writes the string form the upstream expects.</summary>
internal sealed class VideoDurationConverter : JsonConverter<VideoDuration>
{
    public override VideoDuration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var seconds = reader.TokenType switch
        {
            JsonTokenType.String when reader.ValueTextEquals("5"u8) => 5,
            JsonTokenType.String when reader.ValueTextEquals("10"u8) => 10,
            JsonTokenType.Number when reader.TryGetInt32(out var number) => number,
            _ => 0,
        };
        return seconds switch
        {
            5 => VideoDuration.Five,
            10 => VideoDuration.Ten,
            _ => throw new JsonException("duration must be \"5\" or \"10\""),
        };
    }

    public override void Write(Utf8JsonWriter writer, VideoDuration value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value == VideoDuration.Ten ? "10" : "5");
}
