using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kling.Gateway.Upstream;

/// <summary>
/// A submit in the official API's terms: <c>model</c> becomes <c>model_name</c> (never both: with only <c>model</c> the
/// official API silently falls back to kling-v1), and <c>cfg_scale</c> moves from the public 0–100 scale to the official
/// 0–1 scale as value ÷ 10, capped at 1 (so the defaults, 5.0 and 0.5, coincide).
/// </summary>
internal static class OfficialRequestMapper
{
    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Map(byte[] publicBody)
    {
        var body = JsonNode.Parse(publicBody)!.AsObject();
        if (body.Remove("model", out var model))
        {
            body["model_name"] = model;
        }

        if (body["cfg_scale"] is JsonValue cfg && cfg.TryGetValue<double>(out var scale))
        {
            body["cfg_scale"] = Math.Min(scale / 10, 1.0);
        }

        return JsonSerializer.SerializeToUtf8Bytes(body, Output);
    }
}
