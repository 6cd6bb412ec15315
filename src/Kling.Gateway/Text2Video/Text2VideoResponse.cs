using System.Text.Json.Serialization;

namespace Kling.Gateway.Text2Video;

// These records document the upstream's answers, which the gateway passes through byte for byte.

/// <summary>Success envelope of a submit or a query.</summary>
internal sealed record Text2VideoResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("request_id")] string? RequestId,
    [property: JsonPropertyName("data")] TaskData Data);

/// <summary>Envelope of a task list: <c>data</c> holds the tasks, newest first.</summary>
internal sealed record Text2VideoListResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("request_id")] string? RequestId,
    [property: JsonPropertyName("data")] IReadOnlyList<TaskData> Data);

/// <summary>A task and, once it succeeded, its videos.</summary>
/// <param name="TaskId">The task's id, used to query it.</param>
/// <param name="TaskStatus"><c>submitted</c>, <c>processing</c>, <c>succeed</c> or <c>failed</c>.</param>
/// <param name="TaskStatusMsg">Why a task failed.</param>
/// <param name="CreatedAt">Creation time, epoch milliseconds.</param>
/// <param name="UpdatedAt">Last change, epoch milliseconds.</param>
/// <param name="TaskResult">The generated videos (when <c>task_status</c> is <c>succeed</c>).</param>
internal sealed record TaskData(
    [property: JsonPropertyName("task_id")] string TaskId,
    [property: JsonPropertyName("task_status")] TaskStatus TaskStatus,
    [property: JsonPropertyName("task_status_msg")] string? TaskStatusMsg,
    [property: JsonPropertyName("created_at")] long? CreatedAt,
    [property: JsonPropertyName("updated_at")] long? UpdatedAt,
    [property: JsonPropertyName("task_result")] TaskResult? TaskResult);

internal sealed record TaskResult([property: JsonPropertyName("videos")] IReadOnlyList<VideoResult> Videos);

/// <summary>A generated video; its URL expires after about 30 days.</summary>
internal sealed record VideoResult(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("duration")] string Duration);

[JsonConverter(typeof(JsonStringEnumConverter<TaskStatus>))]
internal enum TaskStatus
{
    [JsonStringEnumMemberName("submitted")] Submitted,
    [JsonStringEnumMemberName("processing")] Processing,
    [JsonStringEnumMemberName("succeed")] Succeed,
    [JsonStringEnumMemberName("failed")] Failed,
}
