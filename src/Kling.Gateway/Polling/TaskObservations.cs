using System.Collections.Concurrent;
using Kling.Gateway.Observability;
using Kling.Gateway.Tasks;
using Kling.Gateway.Upstream;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Polling;

/// <summary>
/// Answers "what is this task's state now?" with as few upstream calls as possible: a finished task's stored answer
/// is final (for the result retention); an answer younger than <c>Polling:MinInterval</c> is served again; otherwise one
/// look at the store (where replicas share their answers) and, if that is stale too, one upstream call are made, and
/// every concurrent query of the same task waits for them instead of making its own.
/// </summary>
internal sealed class TaskObservations(
    CachedTaskStore tasks,
    UpstreamClient upstream,
    IOptionsMonitor<PollingOptions> polling,
    IOptionsMonitor<TasksOptions> taskOptions,
    GatewayMetrics metrics,
    IEnumerable<ITaskStatusListener> listeners,
    TimeProvider time)
{
    private readonly ITaskStatusListener[] _listeners = [.. listeners];

    private readonly ConcurrentDictionary<string, Task<Observation>> _inFlight = new(StringComparer.Ordinal);

    public async Task<Observation> CurrentAsync(TaskRecord record, string requestId, CancellationToken cancellationToken) =>
        Stored(record) ?? await FetchAsync(record, requestId).WaitAsync(cancellationToken);

    /// <summary>
    /// Asks the store, then the upstream, or joins the call already doing so for this task; a new answer is stored.
    /// The caller that makes the call goes on with its answer on the thread that got it; those that joined are resumed
    /// on the thread pool (one call may serve many of them).
    /// </summary>
    public Task<Observation> FetchAsync(TaskRecord record, string? requestId)
    {
        var shared = new TaskCompletionSource<Observation>(TaskCreationOptions.RunContinuationsAsynchronously);
        while (true)
        {
            if (_inFlight.TryAdd(record.TaskId, shared.Task))
            {
                return AskUpstreamAsync(record, requestId, shared);
            }

            if (_inFlight.TryGetValue(record.TaskId, out var running))
            {
                metrics.TaskQuery(record.TenantId, "shared");
                return running;
            }
        }
    }

    /// <summary>The stored answer, when it is final or young enough to serve again.</summary>
    private Observation? Stored(TaskRecord record)
    {
        if (record.Response is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var servable = record.Status.IsFinished
            ? now - record.UpdatedAt < taskOptions.CurrentValue.ResultRetention
            : now - record.ObservedAt < polling.CurrentValue.MinInterval;
        if (!servable)
        {
            return null;
        }

        metrics.TaskQuery(record.TenantId, "store");
        return new Observation(new UpstreamReply(200, record.Response), record.Status.IsFinished, now - record.ObservedAt, null);
    }

    /// <summary>
    /// News is always stored; a repeated answer only once the stored one is a poll interval (at least a second) old,
    /// which is all that other replicas and the refresher need to know.
    /// </summary>
    private bool WorthStoring(TaskRecord known, TaskSnapshot snapshot)
    {
        var interval = polling.CurrentValue.MinInterval;
        return snapshot.Status != known.Status || snapshot.Data != known.Data
            || time.GetUtcNow() - known.ObservedAt >= (interval > TimeSpan.FromSeconds(1) ? interval : TimeSpan.FromSeconds(1));
    }

    private async Task<Observation> AskUpstreamAsync(TaskRecord record, string? requestId, TaskCompletionSource<Observation> shared)
    {
        try
        {
            var observation = await ObserveAsync(record, requestId);
            shared.SetResult(observation);
            return observation;
        }
        catch (Exception ex)
        {
            shared.SetException(ex);
            // Observed here (the caller gets it rethrown), whether or not another query joined.
            _ = shared.Task.Exception;
            throw;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<Observation>>(record.TaskId, shared.Task));
        }
    }

    private async Task<Observation> ObserveAsync(TaskRecord record, string? requestId)
    {
        // The store may know a newer answer: from a call that finished after the caller looked, or from another replica.
        var latest = await tasks.FindLatestAsync(record.TenantId, record.TaskId) ?? record;
        if (Stored(latest) is { } stored)
        {
            return stored;
        }

        metrics.TaskQuery(record.TenantId, "upstream");
        // Not the caller's cancellation: the call serves every query waiting on it.
        var outcome = await upstream.GetAsync("query", UpstreamPaths.Task(record.TaskId), record.TaskId, requestId, CancellationToken.None);
        if (outcome.Reply is not { } upstreamReply)
        {
            return new Observation(null, false, null, outcome.Failure);
        }

        // The client sees the external_task_id it sent, never the gateway's upstream one.
        var reply = upstreamReply.IsSuccess
            ? upstreamReply with { Body = ExternalTaskIds.AsClientSent(upstreamReply.Body, record.ClientExternalId) }
            : upstreamReply;
        var snapshot = reply.IsSuccess ? TaskSnapshot.Read(reply.Body) : null;
        if (snapshot?.TaskId == record.TaskId && WorthStoring(latest, snapshot))
        {
            if (snapshot.Status != latest.Status)
            {
                foreach (var listener in _listeners)
                {
                    await listener.StatusChangedAsync(record.TenantId, snapshot);
                }
            }

            await tasks.ObserveAsync(record.TenantId, snapshot);
        }

        return new Observation(reply, snapshot?.Status.IsFinished == true, null, null);
    }
}

/// <summary>A task's state as one query gets it.</summary>
/// <param name="Reply">The answer to give: fresh from the upstream, or stored (its <c>request_id</c> then replaced).</param>
/// <param name="Age">How old a stored answer is (null for a fresh one).</param>
/// <param name="Failure">Why there is no answer (Reply is then null).</param>
internal sealed record Observation(UpstreamReply? Reply, bool Finished, TimeSpan? Age, UpstreamFailure? Failure);
