using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kling.Gateway.Text2Video;

/// <summary>A text-to-video task submission.</summary>
internal sealed record Text2VideoRequest
{
    /// <summary>Model to generate with; the accepted list comes from the gateway's <c>Models</c> configuration.</summary>
    /// <example>kling-v1</example>
    [JsonPropertyName("model"), Required]
    public string? Model { get; init; }

    /// <summary>Text description of the video: non-blank, at most 2500 characters.</summary>
    /// <example>A deer running in the forest</example>
    [JsonPropertyName("prompt"), Required, MaxLength(Text2VideoRules.MaxPromptLength)]
    public string? Prompt { get; init; }

    /// <summary>Tail (last) frame: an http(s) URL, or Base64 JPEG/PNG data (raw or <c>data:image/...;base64,</c>), at most 10 MB decoded.</summary>
    [JsonPropertyName("image_tail")]
    public ImageTail? ImageTail { get; init; }

    /// <summary>What the video should avoid: at most 2500 characters.</summary>
    /// <example>blurry, low quality</example>
    [JsonPropertyName("negative_prompt"), MaxLength(Text2VideoRules.MaxPromptLength)]
    public string? NegativePrompt { get; init; }

    /// <summary>
    /// Prompt adherence, 0.0 to 100.0. When the gateway fronts the official Kling API (0–1 scale) it sends value ÷ 10,
    /// capped at 1, so the defaults (5.0 here, 0.5 there) coincide.
    /// </summary>
    /// <example>5.0</example>
    [JsonPropertyName("cfg_scale"), DefaultValue(Text2VideoDefaults.CfgScale), Range(0.0, 100.0)]
    public double? CfgScale { get; init; }

    /// <summary>Generation mode: <c>std</c> (standard) or <c>pro</c> (professional).</summary>
    [JsonPropertyName("mode"), DefaultValue(VideoMode.Std)]
    public VideoMode? Mode { get; init; }

    /// <summary>Frame aspect ratio.</summary>
    [JsonPropertyName("aspect_ratio"), DefaultValue(Text2Video.AspectRatio.Landscape)]
    public AspectRatio? AspectRatio { get; init; }

    /// <summary>Video length in seconds, as a string; a bare number 5 or 10 is tolerated.</summary>
    [JsonPropertyName("duration"), DefaultValue(VideoDuration.Five)]
    public VideoDuration? Duration { get; init; }

    /// <summary>Camera movement (official Kling field).</summary>
    [JsonPropertyName("camera_control")]
    public CameraControl? CameraControl { get; init; }

    /// <summary>
    /// Your service's URL for the task's status changes: the gateway itself POSTs one signed event per change to it (see this
    /// operation's callbacks); it is never sent upstream. An absolute http(s) URL of at most 2048 characters without user info,
    /// whose host the gateway's callback policy allows; only tenants with a webhook secret may set it.
    /// </summary>
    [JsonPropertyName("callback_url")]
    public string? CallbackUrl { get; init; }

    /// <summary>The caller's own id for the task, unique per account (official Kling field); at most 128 characters.</summary>
    [JsonPropertyName("external_task_id"), MaxLength(Text2VideoRules.MaxExternalTaskIdLength)]
    public string? ExternalTaskId { get; init; }

    /// <summary>Generate sound (newer models): <c>on</c> or <c>off</c>.</summary>
    [JsonPropertyName("sound")]
    public SoundSetting? Sound { get; init; }

    /// <summary>Fields the gateway does not know are forwarded unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Camera movement: a preset <c>type</c>, or <c>simple</c> with a <c>config</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record CameraControl
{
    /// <summary>Movement preset; <c>config</c> is allowed (and required) only with <c>simple</c>.</summary>
    [JsonPropertyName("type"), Required]
    public CameraMovement? Type { get; init; }

    /// <summary>Simple movement: exactly one non-zero value, each in [-10, 10].</summary>
    [JsonPropertyName("config")]
    public CameraConfig? Config { get; init; }
}

/// <summary>Simple camera movement: exactly one non-zero value, each in [-10, 10].</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record CameraConfig
{
    [JsonPropertyName("horizontal"), Range(-10.0, 10.0)] public double? Horizontal { get; init; }
    [JsonPropertyName("vertical"), Range(-10.0, 10.0)] public double? Vertical { get; init; }
    [JsonPropertyName("pan"), Range(-10.0, 10.0)] public double? Pan { get; init; }
    [JsonPropertyName("tilt"), Range(-10.0, 10.0)] public double? Tilt { get; init; }
    [JsonPropertyName("roll"), Range(-10.0, 10.0)] public double? Roll { get; init; }
    [JsonPropertyName("zoom"), Range(-10.0, 10.0)] public double? Zoom { get; init; }
}

[JsonConverter(typeof(ExactStringEnumConverter<VideoMode>))]
internal enum VideoMode
{
    [JsonStringEnumMemberName("std")] Std,
    [JsonStringEnumMemberName("pro")] Pro,
}

[JsonConverter(typeof(ExactStringEnumConverter<AspectRatio>))]
internal enum AspectRatio
{
    [JsonStringEnumMemberName("16:9")] Landscape,
    [JsonStringEnumMemberName("9:16")] Portrait,
    [JsonStringEnumMemberName("1:1")] Square,
}

[JsonConverter(typeof(VideoDurationConverter))]
internal enum VideoDuration
{
    [JsonStringEnumMemberName("5")] Five = 5,
    [JsonStringEnumMemberName("10")] Ten = 10,
}

[JsonConverter(typeof(ExactStringEnumConverter<CameraMovement>))]
internal enum CameraMovement
{
    [JsonStringEnumMemberName("simple")] Simple,
    [JsonStringEnumMemberName("down_back")] DownBack,
    [JsonStringEnumMemberName("forward_up")] ForwardUp,
    [JsonStringEnumMemberName("right_turn_forward")] RightTurnForward,
    [JsonStringEnumMemberName("left_turn_forward")] LeftTurnForward,
}

[JsonConverter(typeof(ExactStringEnumConverter<SoundSetting>))]
internal enum SoundSetting
{
    [JsonStringEnumMemberName("on")] On,
    [JsonStringEnumMemberName("off")] Off,
}
