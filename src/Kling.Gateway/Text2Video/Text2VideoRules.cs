using Kling.Gateway.Callbacks;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Text2Video;

/// <summary>
/// The contract's rules for a submit. Each field has one rule text, used both when a value has the wrong
/// type (found while reading) and when it breaks a range or format rule (found here).
/// </summary>
internal sealed class Text2VideoRules(IOptionsMonitor<ModelsOptions> models)
{
    public const int MaxPromptLength = 2500;
    public const int MaxExternalTaskIdLength = 128;

    private const string CameraTypes = "simple, down_back, forward_up, right_turn_forward or left_turn_forward";
    private const string CameraConfigRule =
        "camera_control.config is required with type simple and must hold only horizontal, vertical, pan, tilt, roll and zoom, "
        + "each a number in [-10, 10], exactly one of them non-zero";

    /// <summary>The rule for a field (or a JSON path below it) in a contract's terms, naming the field.</summary>
    public string RuleFor(string field, Text2VideoContract contract) => field switch
    {
        _ when field == contract.ModelField => contract.DefaultModel is null
            ? $"{field} is required and must be one of: " + string.Join(", ", models.CurrentValue.Models)
            : $"{field} must be one of: " + string.Join(", ", models.CurrentValue.Models) + $" (default {contract.DefaultModel})",
        "prompt" => $"prompt is required and must be a non-blank string of at most {MaxPromptLength} characters",
        "negative_prompt" => $"negative_prompt must be a string of at most {MaxPromptLength} characters",
        "image_tail" => "image_tail must be an http(s) URL or Base64 JPEG/PNG data (raw or data:image/...;base64,) of at most 10 MB",
        "cfg_scale" => $"cfg_scale must be a number between 0 and {contract.CfgScaleMax}",
        "mode" => "mode must be one of: std, pro",
        "aspect_ratio" => "aspect_ratio must be one of: 16:9, 9:16, 1:1",
        "duration" => "duration must be \"5\" or \"10\"",
        "camera_control" or "camera_control.type" =>
            "camera_control must be an object whose type is " + CameraTypes + "; config is allowed only with simple",
        _ when field.StartsWith("camera_control.config", StringComparison.Ordinal) => CameraConfigRule,
        "callback_url" => CallbackUrl.Rule,
        "external_task_id" => $"external_task_id must be a non-blank string of at most {MaxExternalTaskIdLength} characters",
        "sound" => "sound must be one of: on, off",
        _ => field + " is invalid",
    };

    /// <summary>The first broken rule, in the contract's field order, or null when the request is valid.</summary>
    public string? FindViolation(Text2VideoRequest request, Text2VideoContract contract)
    {
        var broken = request switch
        {
            _ when (request.Model ?? contract.DefaultModel) is not { } model
                || !models.CurrentValue.Models.Contains(model, StringComparer.Ordinal) => contract.ModelField,
            { Prompt: null } => "prompt",
            _ when string.IsNullOrWhiteSpace(request.Prompt) || TooLong(request.Prompt, MaxPromptLength) => "prompt",
            { NegativePrompt: { } negative } when TooLong(negative, MaxPromptLength) => "negative_prompt",
            { ImageTail.IsValid: false } => "image_tail",
            { CfgScale: { } cfg } when cfg < 0 || cfg > contract.CfgScaleMax => "cfg_scale",
            { CameraControl: { } camera } when CameraControlViolation(camera) is { } cameraField => cameraField,
            { CallbackUrl: { } url } when !CallbackUrl.IsWellFormed(url) => "callback_url",
            { ExternalTaskId: { } id } when string.IsNullOrWhiteSpace(id) || TooLong(id, MaxExternalTaskIdLength) => "external_task_id",
            _ => null,
        };
        return broken is null ? null : RuleFor(broken, contract);
    }

    // Characters as people count them: a surrogate pair (an emoji) is one.
    private static bool TooLong(string value, int max) =>
        value.Length > max && value.Length - CountLowSurrogates(value) > max;

    private static int CountLowSurrogates(string value)
    {
        var count = 0;
        foreach (var c in value)
        {
            count += char.IsLowSurrogate(c) ? 1 : 0;
        }

        return count;
    }

    public static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;

    private static string? CameraControlViolation(CameraControl camera) => camera switch
    {
        { Type: null } => "camera_control",
        { Type: CameraMovement.Simple, Config: null } => "camera_control.config",
        { Type: CameraMovement.Simple, Config: { } config } when !HasExactlyOneMovement(config) => "camera_control.config",
        { Type: not CameraMovement.Simple, Config: not null } => "camera_control",
        _ => null,
    };

    private static bool HasExactlyOneMovement(CameraConfig config)
    {
        double?[] values = [config.Horizontal, config.Vertical, config.Pan, config.Tilt, config.Roll, config.Zoom];
        var nonZero = 0;
        foreach (var value in values)
        {
            if (value is < -10 or > 10)
            {
                return false;
            }

            nonZero += value is null or 0 ? 0 : 1;
        }

        return nonZero == 1;
    }
}
