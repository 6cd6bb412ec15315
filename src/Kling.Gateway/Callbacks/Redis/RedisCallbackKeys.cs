using Kling.Gateway.Storage;
using StackExchange.Redis;

namespace Kling.Gateway.Callbacks.Redis;

/// <summary>
/// The keys of the callback outbox, under the gateway's prefix. The scripts build the per-event, per-task and per-tenant
/// keys they reach from a task or event id themselves, with the same names (one node, not Cluster).
/// </summary>
internal readonly struct RedisCallbackKeys(RedisConnection redis)
{
    /// <summary>Hash: the task's callback (tenant, url, token, stopped).</summary>
    public RedisKey Registration(string taskId) => redis.Key("cb:reg:" + taskId);

    /// <summary>String: the task whose hint URL carries this token.</summary>
    public RedisKey Token(string token) => redis.Key("cb:token:" + token);

    /// <summary>Set: the statuses of the task an event was queued for (one event per status, whichever replica saw it).</summary>
    public RedisKey Seen(string taskId) => redis.Key("cb:seen:" + taskId);

    /// <summary>List: the task's undelivered event ids, in delivery order.</summary>
    public RedisKey Queue(string taskId) => redis.Key("cb:queue:" + taskId);

    /// <summary>Hash: one event (tenant, task, url, payload, attempts, created, owner).</summary>
    public RedisKey Event(string eventId) => redis.Key("cb:event:" + eventId);

    /// <summary>Sorted set: tasks whose first event is due, by due time (a leased one by its lease's end).</summary>
    public RedisKey Due => redis.Key("cb:due");

    /// <summary>Sorted set: the tenant's undelivered event ids by creation time (for the metrics).</summary>
    public RedisKey Pending(string tenantId) => redis.Key("cb:pending:" + tenantId);
}
