using System.Text.Json.Serialization;

namespace Kling.Gateway.Text2Video;

// These records document the upstream's answers, which the gateway passes through byte for byte.

/// <summary>Success envelope of a submit or a query.</summary>
internal sealed record Text2VideoResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("data")] TaskData Data);

/// <summary>Envelope of a task list: <c>data</c> holds the tasks, newest first.</summary>
internal sealed record Text2VideoListResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("data")] IReadOnlyList<TaskData> Data);

/// <summary>A task and, once it succeeded, its videos.</summary>
/// <param name="TaskId">The task's id, used to query it.</param>
/// <param name="TaskStatus"><c>submitted</c>, <c>processing</c>, <c>succeed</c> or <c>failed</c>.</param>
/// <param name="TaskStatusMsg">Why a task failed.</param>
/// <param name="CreatedAt">Creation time, epoch milliseconds.</param>
/// <param name="UpdatedAt">Last change, epoch milliseconds.</param>
/// <param name="TaskInfo">The caller's own <c>external_task_id</c> (null when it sent none).</param>
/// <param name="FinalUnitDeduction">Units the upstream charged, as a decimal string (on finished tasks, where the upstream reports it).</param>
/// <param name="WatermarkInfo">Whether the upstream watermarks this task's videos (where it reports it).</param>
/// <param name="TaskResult">The generated videos (when <c>task_status</c> is <c>succeed</c>).</param>
internal sealed record TaskData(
    [property: JsonPropertyName("task_id")] string TaskId,
    [property: JsonPropertyName("task_status")] TaskStatus TaskStatus,
    [property: JsonPropertyName("task_status_msg")] string? TaskStatusMsg,
    [property: JsonPropertyName("task_info")] TaskInfo? TaskInfo,
    [property: JsonPropertyName("created_at")] long? CreatedAt,
    [property: JsonPropertyName("updated_at")] long? UpdatedAt,
    [property: JsonPropertyName("final_unit_deduction")] string? FinalUnitDeduction,
    [property: JsonPropertyName("watermark_info")] WatermarkInfo? WatermarkInfo,
    [property: JsonPropertyName("task_result")] TaskResult? TaskResult);

/// <param name="ExternalTaskId">The value the caller sent, exactly; null when it sent none.</param>
internal sealed record TaskInfo([property: JsonPropertyName("external_task_id")] string? ExternalTaskId);

/// <param name="Enabled">Whether the videos carry a watermark (then each has a <c>watermark_url</c>).</param>
internal sealed record WatermarkInfo([property: JsonPropertyName("enabled")] bool Enabled);

internal sealed record TaskResult([property: JsonPropertyName("videos")] IReadOnlyList<VideoResult> Videos);

/// <summary>A generated video; its URL expires after about 30 days.</summary>
/// <param name="Id">The video's id (official upstream).</param>
/// <param name="Url">Where to download the video.</param>
/// <param name="Duration">Length in seconds, as a string.</param>
/// <param name="WatermarkUrl">The watermarked copy, where watermarking is on.</param>
internal sealed record VideoResult(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("duration")] string Duration,
    [property: JsonPropertyName("watermark_url")] string? WatermarkUrl);

[JsonConverter(typeof(JsonStringEnumConverter<TaskStatus>))]
internal enum TaskStatus
{
    [JsonStringEnumMemberName("submitted")] Submitted,
    [JsonStringEnumMemberName("processing")] Processing,
    [JsonStringEnumMemberName("succeed")] Succeed,
    [JsonStringEnumMemberName("failed")] Failed,
}
