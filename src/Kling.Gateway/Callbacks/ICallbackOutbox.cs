using Kling.Gateway.Tasks;

namespace Kling.Gateway.Callbacks;

/// <summary>
/// Tasks' callbacks and the events waiting to be delivered to them, in the store (so they survive restarts and are
/// shared by replicas). Events of one task are handed out one at a time, oldest first, each to one lease holder.
/// Like the task store, calls are bounded by the store itself, not by the caller.
/// </summary>
internal interface ICallbackOutbox
{
    /// <summary>Records that the tenant's task calls back <paramref name="registration"/>'s URL (insert-if-absent: safe to repeat).</summary>
    Task RegisterAsync(CallbackRegistration registration);

    /// <summary>The callback whose upstream hint URL carries <paramref name="token"/>, or null.</summary>
    Task<CallbackRegistration?> FindByTokenAsync(string token);

    /// <summary>
    /// Queues the event of the task reaching <paramref name="status"/>; nothing when the task has no callback, its
    /// callbacks were stopped, or an event for this status was queued before (by this or another replica).
    /// </summary>
    /// <returns>Whether an event was queued.</returns>
    Task<bool> EnqueueAsync(string taskId, TaskState status, string eventId, byte[] payload, DateTimeOffset now);

    /// <summary>Up to <paramref name="max"/> due events, the oldest of their task, leased to <paramref name="owner"/> until <paramref name="leaseUntil"/>.</summary>
    Task<IReadOnlyList<CallbackEvent>> LeaseAsync(string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil);

    /// <summary>Settles a leased event; nothing happens if the lease was lost to another replica meanwhile.</summary>
    Task SettleAsync(CallbackEvent callbackEvent, string owner, Settlement settlement, DateTimeOffset now);

    /// <summary>Events waiting, per tenant: how many, and when the oldest was created.</summary>
    Task<IReadOnlyDictionary<string, PendingEvents>> PendingAsync(IReadOnlyCollection<string> tenantIds);
}

/// <summary>A task's callback.</summary>
/// <param name="Token">The opaque token of the gateway's own callback URL given to the upstream.</param>
internal sealed record CallbackRegistration(string TaskId, string TenantId, string Url, string Token);

/// <summary>An event to deliver.</summary>
/// <param name="EventId">The <c>webhook-id</c>: one per event, the same on every attempt.</param>
/// <param name="Attempts">Attempts made before this one.</param>
internal sealed record CallbackEvent(string EventId, string TenantId, string TaskId, string Url, byte[] Payload, int Attempts, DateTimeOffset CreatedAt);

internal sealed record PendingEvents(int Count, DateTimeOffset? OldestCreatedAt);
