namespace Kling.Gateway.Tasks;

/// <summary>
/// Told of every change of a task's status the gateway observes (by a query, a long-poll, the refresher or an upstream
/// hint), before the store records it: a crash in between repeats the news at the next observation instead of losing it.
/// </summary>
internal interface ITaskStatusListener
{
    Task StatusChangedAsync(string tenantId, TaskSnapshot snapshot);
}
