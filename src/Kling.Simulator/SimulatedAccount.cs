using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Kling.Simulator;

/// <summary>The simulated account's tasks, by task id and by the caller's <c>external_task_id</c> (unique per account, as at Kling).</summary>
internal sealed class SimulatedAccount
{
    private readonly ConcurrentDictionary<string, SimulatedTask> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SimulatedTask> _byExternalId = new(StringComparer.Ordinal);

    /// <summary>Adds the task, or returns false when its <c>external_task_id</c> is already taken.</summary>
    public bool TryAdd(SimulatedTask task)
    {
        if (task.ExternalTaskId is { } external && !_byExternalId.TryAdd(external, task))
        {
            return false;
        }

        _byId[task.Id] = task;
        return true;
    }

    /// <summary>The task with this task id or, failing that, this external_task_id.</summary>
    public bool TryFind(string id, [NotNullWhen(true)] out SimulatedTask? task) =>
        _byId.TryGetValue(id, out task) || _byExternalId.TryGetValue(id, out task);

    /// <summary>Every task of the account, in no particular order.</summary>
    public ICollection<SimulatedTask> Tasks => _byId.Values;
}
