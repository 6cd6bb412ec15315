using System.Globalization;
using System.Text.Json;
using Kling.Gateway.Errors;
using Kling.Gateway.Observability;
using Kling.Gateway.Polling;
using Kling.Gateway.Tasks;
using Kling.Gateway.Tenancy;
using Kling.Gateway.Upstream;
using Microsoft.Extensions.Options;
using Serilog;

namespace Kling.Gateway.Text2Video;

/// <summary>Queries and lists, each limited to the caller's own tasks.</summary>
internal sealed class QueryFlow(
    ITaskStore tasks,
    TaskObservations observations,
    IOptionsMonitor<PollingOptions> polling,
    IOptionsMonitor<UpstreamOptions> upstreamOptions,
    TimeProvider time,
    IDiagnosticContext diagnostics)
{
    private const string NotFound = "task not found";

    /// <summary>
    /// A task of another tenant gets exactly the answer an unknown id gets, and neither reaches the upstream:
    /// nothing tells a tenant that someone else's task exists. The id may also be the caller's own <c>external_task_id</c>. With <c>?wait=N</c> the answer waits (without a thread)
    /// until the task has finished or N seconds have passed, riding on the shared observations of the task.
    /// </summary>
    public async Task QueryAsync(HttpContext context, string taskId)
    {
        if (!TaskId.IsPlain(taskId))
        {
            await context.WriteKlingErrorAsync(400, ErrorCodes.ParameterInvalid, TaskId.Rule);
            return;
        }

        // ?wait=N: absent is no wait.
        if (!QueryParameter.Wait.TryRead(context.Request.Query, out var waitSeconds))
        {
            await context.WriteKlingErrorAsync(400, ErrorCodes.ParameterInvalid, QueryParameter.Wait.Rule);
            return;
        }

        diagnostics.Set("TaskId", taskId);
        var tenantId = context.User.GetTenantId()!;
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(waitSeconds);
        // The path names a task id or, as at Kling, the caller's own external_task_id; only ever the caller's.
        var found = await tasks.FindAsync(tenantId, taskId) ?? await tasks.FindByExternalIdAsync(tenantId, taskId);
        if (found is null)
        {
            await context.WriteKlingErrorAsync(404, ErrorCodes.NotFound, NotFound);
            return;
        }

        taskId = found.TaskId;
        while (true)
        {
            var record = await tasks.FindAsync(tenantId, taskId);
            if (record is null)
            {
                await context.WriteKlingErrorAsync(404, ErrorCodes.NotFound, NotFound);
                return;
            }

            var observation = await observations.CurrentAsync(record, context.GetRequestId(), context.RequestAborted);
            var remaining = deadline - time.GetUtcNow();
            if (observation.Reply is not { } reply)
            {
                await context.WriteUpstreamFailureAsync(observation.Failure!.Value, upstreamOptions.CurrentValue.Timeout);
                return;
            }

            if (observation.Finished || !reply.IsSuccess || remaining <= TimeSpan.Zero)
            {
                // For the completion event: the upstream's status when it answered this query, else how old the stored answer is.
                diagnostics.Set(observation.Age is null ? "UpstreamStatus" : "StoredAnswerAgeSeconds",
                    observation.Age is { } age ? (int)age.TotalSeconds : reply.StatusCode);
                await WriteAsync(context, observation, reply);
                return;
            }

            // The next look is worth taking once a new upstream answer may be had.
            var pause = polling.CurrentValue.MinInterval - (observation.Age ?? TimeSpan.Zero);
            await Task.Delay(Clamp(pause, TimeSpan.FromMilliseconds(100), remaining), time, context.RequestAborted);
        }
    }

    /// <summary><c>GET ...?pageNum=1&amp;pageSize=30</c>: the caller's tasks, newest first, in the Kling envelope.</summary>
    public async Task ListAsync(HttpContext context)
    {
        if (!QueryParameter.PageNum.TryRead(context.Request.Query, out var pageNum))
        {
            await context.WriteKlingErrorAsync(400, ErrorCodes.ParameterInvalid, QueryParameter.PageNum.Rule);
            return;
        }

        if (!QueryParameter.PageSize.TryRead(context.Request.Query, out var pageSize))
        {
            await context.WriteKlingErrorAsync(400, ErrorCodes.ParameterInvalid, QueryParameter.PageSize.Rule);
            return;
        }

        var page = await tasks.ListAsync(context.User.GetTenantId()!, pageNum, pageSize);
        context.Response.ContentType = KlingErrorWriter.JsonContentType;
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteNumber("code", 0);
        writer.WriteString("message", "success");
        writer.WriteString("request_id", context.GetRequestId());
        writer.WriteStartArray("data");
        foreach (var task in page)
        {
            // What the upstream last said of the task; before any answer, what the gateway knows.
            if (task.Data is not null)
            {
                writer.WriteRawValue(task.Data, skipInputValidation: true);
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("task_id", task.TaskId);
            writer.WriteString("task_status", task.Status.Name);
            writer.WriteNumber("created_at", task.CreatedAt.ToUnixTimeMilliseconds());
            writer.WriteNumber("updated_at", task.UpdatedAt.ToUnixTimeMilliseconds());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>A fresh upstream answer, or a stored one with its <c>Age</c> in seconds.</summary>
    private static Task WriteAsync(HttpContext context, Observation observation, UpstreamReply reply)
    {
        if (observation.Age is { } age)
        {
            context.Response.Headers.Age = ((long)age.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return reply.WriteAsync(context);
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? Min(min, max) : Min(value, max);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
