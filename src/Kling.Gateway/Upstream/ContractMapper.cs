using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Kling.Gateway.Upstream;

/// <summary>
/// A submit moved between the aggregator's terms and the official API's: <c>model</c> ⇄ <c>model_name</c> (never both:
/// with only <c>model</c> the official API silently falls back to kling-v1), and <c>cfg_scale</c> between the 0–100 and
/// 0–1 scales (÷ 10 capped at 1 one way, × 10 the other, so the defaults, 5.0 and 0.5, coincide). A body already in the
/// upstream's terms is sent as it is.
/// </summary>
/// <remarks>
/// The body was validated and written by the gateway itself, so every other property is copied byte for byte in one
/// pass: no document is built and no value (a 10 MB <c>image_tail</c> included) is decoded or re-encoded.
/// </remarks>
internal static class ContractMapper
{
    public static byte[] Map(byte[] body, UpstreamMode from, UpstreamMode to)
    {
        if (from == to)
        {
            return body;
        }

        var toOfficial = to == UpstreamMode.Official;
        var modelFrom = toOfficial ? "model"u8 : "model_name"u8;
        var modelTo = toOfficial ? "\"model_name\":"u8 : "\"model\":"u8;
        var output = new ArrayBufferWriter<byte>(body.Length + 16);
        var reader = new Utf8JsonReader(body);
        reader.Read();
        output.Write("{"u8);
        var first = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var propertyStart = (int)reader.TokenStartIndex;
            var isModel = reader.ValueTextEquals(modelFrom);
            var isCfgScale = reader.ValueTextEquals("cfg_scale"u8);
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            reader.Skip();
            var valueEnd = (int)reader.BytesConsumed;

            output.Write(first ? ""u8 : ","u8);
            first = false;
            if (isModel)
            {
                output.Write(modelTo);
                output.Write(body.AsSpan(valueStart, valueEnd - valueStart));
            }
            else if (isCfgScale && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var scale))
            {
                output.Write("\"cfg_scale\":"u8);
                WriteNumber(output, toOfficial ? Math.Min(scale / 10, 1.0) : scale * 10);
            }
            else
            {
                output.Write(body.AsSpan(propertyStart, valueEnd - propertyStart));
            }
        }

        output.Write("}"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The shortest text that reads back as the same double, as System.Text.Json writes it.</summary>
    private static void WriteNumber(ArrayBufferWriter<byte> output, double value)
    {
        var span = output.GetSpan(32);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }
}
