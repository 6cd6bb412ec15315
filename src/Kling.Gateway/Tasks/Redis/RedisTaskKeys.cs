using System.Globalization;
using Kling.Gateway.Storage;
using StackExchange.Redis;

namespace Kling.Gateway.Tasks.Redis;

/// <summary>The keys of tasks, slots and idempotency claims, under the gateway's prefix.</summary>
internal readonly struct RedisTaskKeys(RedisConnection redis)
{
    public RedisKey Task(string taskId) => redis.Key("task:" + taskId);

    /// <summary>Sorted set: the tenant's task ids by creation time (for lists).</summary>
    public RedisKey TenantTasks(string tenantId) => redis.Key("tenant:" + tenantId + ":tasks");

    /// <summary>Sorted set: what holds the tenant's active-task slots (reservations and running tasks) by creation time.</summary>
    public RedisKey TenantSlots(string tenantId) => redis.Key("tenant:" + tenantId + ":slots");

    /// <summary>Hash: the units each unsettled reservation or task of the tenant holds (JSON: estimate, usage keys, model|mode).</summary>
    public RedisKey TenantCharges(string tenantId) => redis.Key("tenant:" + tenantId + ":charges");

    /// <summary>Hash: the tenant's reserved and used units in a period, in total and per <c>model|mode</c>.</summary>
    public RedisKey TenantUnits(string tenantId, string period) => redis.Key("tenant:" + tenantId + ":units:" + period);

    /// <summary>Sorted set: running tasks by last observation, for the refresher.</summary>
    public RedisKey Running => redis.Key("running");

    public RedisKey ReservationSequence => redis.Key("reservation-seq");

    /// <summary>Hash: what a reservation knows of its submit (built inside scripts too, from the prefix).</summary>
    public RedisKey Reservation(long id) => redis.Key("reservation:" + id.ToString(CultureInfo.InvariantCulture));

    /// <summary>Sorted set: reservation ids by lease expiry; a lapsed lease is a submit whose replica died.</summary>
    public RedisKey Leases => redis.Key("leases");

    /// <summary>String: the task a tenant submitted with this <c>external_task_id</c> of its own.</summary>
    public RedisKey ExternalId(string tenantId, string clientExternalId) =>
        redis.Key("external:" + tenantId.Length.ToString(CultureInfo.InvariantCulture) + ":" + tenantId + ":" + clientExternalId);

    /// <summary>The tenant id is length-prefixed, so no tenant/key pair can spell another's.</summary>
    public RedisKey Idempotency(string tenantId, string key) =>
        redis.Key("idempotency:" + tenantId.Length.ToString(CultureInfo.InvariantCulture) + ":" + tenantId + ":" + key);
}
