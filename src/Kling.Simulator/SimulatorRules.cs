using System.Text.Json;

namespace Kling.Simulator;

/// <summary>
/// The value checks Kling makes on a submit (400 code 1201 with a message naming the field), so that a gateway bug which
/// forwards something Kling would refuse shows up in the gateway's tests. Unknown fields pass, as at Kling.
/// </summary>
internal static class SimulatorRules
{
    private const int MaxPromptLength = 2500;

    private static readonly string[] Modes = ["std", "pro"];
    private static readonly string[] AspectRatios = ["16:9", "9:16", "1:1"];
    private static readonly string[] Durations = ["5", "10"];
    private static readonly string[] Sounds = ["on", "off"];
    private static readonly string[] CameraTypes = ["simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward"];

    /// <summary>The broken rule's message, or null when Kling would accept the body (the official <c>model_name</c> may be left out: kling-v1).</summary>
    public static string? Check(JsonElement body, SimulatorOptions options)
    {
        var official = options.Mode == SimulatorMode.Official;
        var modelField = official ? "model_name" : "model";
        if (body.ValueKind != JsonValueKind.Object)
        {
            return "the request body must be a JSON object";
        }

        if (body.TryGetProperty(modelField, out var m))
        {
            if (m.ValueKind != JsonValueKind.String || !options.Models.Contains(m.GetString()!, StringComparer.Ordinal))
            {
                return $"{modelField} must be one of: {string.Join(", ", options.Models)}";
            }
        }
        else if (!official)
        {
            return "model is required";
        }

        return Text(body, "prompt", required: true)
            ?? Text(body, "negative_prompt", required: false)
            ?? Number(body, "cfg_scale", official ? 1 : 100)
            ?? OneOf(body, "mode", Modes)
            ?? OneOf(body, "aspect_ratio", AspectRatios)
            ?? OneOf(body, "duration", Durations)
            ?? OneOf(body, "sound", Sounds)
            ?? Camera(body);
    }

    private static string? Text(JsonElement body, string field, bool required)
    {
        if (!body.TryGetProperty(field, out var value))
        {
            return required ? field + " is required" : null;
        }

        // Characters as people count them: an emoji (a surrogate pair) is one.
        return value.ValueKind == JsonValueKind.String && value.GetString()!.EnumerateRunes().Count() <= MaxPromptLength
            && !(required && string.IsNullOrWhiteSpace(value.GetString()))
            ? null
            : $"{field} must be a {(required ? "non-blank " : "")}string of at most {MaxPromptLength} characters";
    }

    private static string? Number(JsonElement body, string field, double max) =>
        !body.TryGetProperty(field, out var value) || (value.ValueKind == JsonValueKind.Number && value.GetDouble() is >= 0 and var v && v <= max)
            ? null
            : $"{field} must be a number between 0 and {max}";

    private static string? OneOf(JsonElement body, string field, string[] allowed) =>
        !body.TryGetProperty(field, out var value) || (value.ValueKind == JsonValueKind.String && allowed.Contains(value.GetString()!, StringComparer.Ordinal))
            ? null
            : $"{field} must be one of: {string.Join(", ", allowed)}";

    private static string? Camera(JsonElement body)
    {
        if (!body.TryGetProperty("camera_control", out var camera))
        {
            return null;
        }

        const string rule = "camera_control must have a known type, and a config (only with simple) with exactly one non-zero axis in [-10, 10]";
        if (camera.ValueKind != JsonValueKind.Object || OneOf(camera, "type", CameraTypes) is not null || !camera.TryGetProperty("type", out var type))
        {
            return rule;
        }

        var simple = type.GetString() == "simple";
        if (!camera.TryGetProperty("config", out var config))
        {
            return simple ? rule : null;
        }

        if (!simple || config.ValueKind != JsonValueKind.Object)
        {
            return rule;
        }

        var nonZero = 0;
        foreach (var axis in config.EnumerateObject())
        {
            if (axis.Value.ValueKind != JsonValueKind.Number || axis.Value.GetDouble() is < -10 or > 10)
            {
                return rule;
            }

            nonZero += axis.Value.GetDouble() == 0 ? 0 : 1;
        }

        return nonZero == 1 ? null : rule;
    }
}
