using System.Globalization;
using System.Text.Json;
using Kling.Gateway.Errors;
using Kling.Gateway.Observability;
using Kling.Gateway.Tasks;
using Kling.Gateway.Tenancy;
using Kling.Gateway.Upstream;
using Microsoft.Extensions.Options;
using Serilog;

namespace Kling.Gateway.Text2Video;

/// <summary>Queries and lists, each limited to the caller's own tasks.</summary>
internal sealed class QueryFlow(
    UpstreamForwarder upstream, ITaskStore tasks, IOptionsMonitor<TasksOptions> options, TimeProvider time, IDiagnosticContext diagnostics)
{
    private const string NotFound = "task not found";

    /// <summary>
    /// A task of another tenant gets exactly the answer an unknown id gets, and neither reaches the upstream:
    /// nothing tells a tenant that someone else's task exists.
    /// </summary>
    public async Task QueryAsync(HttpContext context, string taskId)
    {
        if (!TaskId.IsPlain(taskId))
        {
            await context.WriteKlingErrorAsync(400, ErrorCodes.ParameterInvalid, TaskId.Rule);
            return;
        }

        diagnostics.Set("TaskId", taskId);
        var tenantId = context.User.GetTenantId()!;
        var record = await tasks.FindAsync(tenantId, taskId, context.RequestAborted);
        if (record is null)
        {
            await context.WriteKlingErrorAsync(404, ErrorCodes.NotFound, NotFound);
            return;
        }

        var reply = await upstream.SendAsync(context, "query", UpstreamPaths.Task(taskId), jsonBody: null);
        if (reply is null)
        {
            return;
        }

        // Most polls repeat the last answer: those cost no store write.
        if (reply.IsSuccess && TaskSnapshot.Read(reply.Body) is { } snapshot && snapshot.TaskId == taskId
            && record.NeedsUpdate(snapshot, time.GetUtcNow(), options.CurrentValue.RefreshInterval))
        {
            await tasks.ObserveAsync(tenantId, snapshot, CancellationToken.None);
        }

        await reply.WriteAsync(context);
    }

    /// <summary><c>GET ...?pageNum=1&amp;pageSize=30</c>: the caller's tasks, newest first, in the Kling envelope.</summary>
    public async Task ListAsync(HttpContext context)
    {
        if (!TryReadPage(context.Request.Query, "pageNum", 1, 1000, out var pageNum, out var error)
            || !TryReadPage(context.Request.Query, "pageSize", 30, 500, out var pageSize, out error))
        {
            await context.WriteKlingErrorAsync(400, ErrorCodes.ParameterInvalid, error);
            return;
        }

        var page = await tasks.ListAsync(context.User.GetTenantId()!, pageNum, pageSize, context.RequestAborted);
        context.Response.ContentType = "application/json";
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
            writer.WriteString("task_status", task.Status);
            writer.WriteNumber("created_at", task.CreatedAt.ToUnixTimeMilliseconds());
            writer.WriteNumber("updated_at", task.UpdatedAt.ToUnixTimeMilliseconds());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static bool TryReadPage(IQueryCollection query, string name, int fallback, int max, out int value, out string error)
    {
        error = $"{name} must be a whole number from 1 to {max}";
        if (!query.TryGetValue(name, out var raw))
        {
            value = fallback;
            return true;
        }

        return int.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && value <= max;
    }
}
