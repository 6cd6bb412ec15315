using System.Globalization;
using Kling.Gateway.Storage;
using Kling.Gateway.Upstream;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Kling.Gateway.Tasks.Redis;

/// <summary>
/// Tasks, ownership and active-task slots in Redis, shared by every gateway replica. Each decision that must be
/// atomic (reserve a slot, record a task, observe a status) is one Lua script: one round trip, no race between replicas.
/// A reservation is a lease (<see cref="RedisLeaseRenewal"/> renews it while its submit is in flight): a dead replica's
/// reservations lapse and are claimed by another. Keys built inside scripts from the prefix need a single Redis node, not Cluster.
/// </summary>
internal sealed class RedisTaskStore(
    RedisConnection redis, IOptionsMonitor<TasksOptions> options, IOptionsMonitor<UpstreamOptions> upstream, TimeProvider time)
    : ITaskStore
{
    private const string ReserveScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return false end
        local id = redis.call('INCR', KEYS[2])
        redis.call('ZADD', KEYS[1], ARGV[1], 'reservation:' .. id)
        redis.call('ZADD', KEYS[3], ARGV[4], id)
        local key = ARGV[5] .. 'reservation:' .. id
        redis.call('HSET', key, 'tenant', ARGV[6], 'model', ARGV[7], 'request', ARGV[8], 'upstream_external', ARGV[9],
                   'external', ARGV[10], 'key', ARGV[11], 'created', ARGV[1])
        redis.call('PEXPIRE', key, ARGV[12])
        return id
        """;

    private const string ReleaseScript = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[2])
        redis.call('DEL', KEYS[3])
        return 1
        """;

    // Insert-if-absent: a task id already recorded keeps its owner; either way the reservation is settled.
    private const string RecordScript = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[5], ARGV[14])
        redis.call('DEL', KEYS[6])
        local owner = redis.call('HGET', KEYS[2], 'tenant')
        if owner then
            if owner == ARGV[7] then return 'already' end
            return 'foreign'
        end
        redis.call('HSET', KEYS[2], 'tenant', ARGV[7], 'model', ARGV[8], 'status', ARGV[3], 'created', ARGV[5],
                   'updated', ARGV[6], 'observed', ARGV[6], 'request', ARGV[9], 'data', ARGV[4], 'response', ARGV[13],
                   'external', ARGV[15])
        redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[12])
        if ARGV[10] == '1' then
            redis.call('PEXPIRE', KEYS[2], ARGV[11])
        else
            redis.call('ZADD', KEYS[1], ARGV[5], ARGV[2])
            redis.call('ZADD', KEYS[4], ARGV[6], ARGV[2])
        end
        if ARGV[15] ~= '' then redis.call('SET', KEYS[7], ARGV[2], 'PX', ARGV[16]) end
        return 'recorded'
        """;

    // Lapsed leases are taken over (a fresh lease for the claimer), so each abandoned reservation goes to one replica.
    private const string ClaimAbandonedScript = """
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
        local claimed = {}
        for _, id in ipairs(ids) do
            local r = redis.call('HMGET', ARGV[4] .. 'reservation:' .. id, 'tenant', 'model', 'request', 'upstream_external', 'external', 'key', 'created')
            if r[1] then
                redis.call('ZADD', KEYS[1], ARGV[3], id)
                table.insert(claimed, id)
                for i = 1, 7 do table.insert(claimed, r[i] or '') end
            else
                redis.call('ZREM', KEYS[1], id)
            end
        end
        return claimed
        """;

    private const string ObserveScript = """
        if redis.call('HGET', KEYS[1], 'tenant') ~= ARGV[6] then return 0 end
        if redis.call('HGET', KEYS[1], 'status') ~= ARGV[2] then redis.call('HSET', KEYS[1], 'updated', ARGV[4]) end
        redis.call('HSET', KEYS[1], 'status', ARGV[2], 'data', ARGV[3], 'observed', ARGV[4], 'response', ARGV[7])
        if ARGV[2] == 'succeed' or ARGV[2] == 'failed' then
            redis.call('ZREM', KEYS[3], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
        else
            redis.call('ZADD', KEYS[2], 'XX', ARGV[4], ARGV[1])
        end
        return 1
        """;

        private const string ClaimDueScript = """
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])
        local due = {}
        for _, id in ipairs(ids) do
            local key = ARGV[6] .. 'task:' .. id
            local created = tonumber(redis.call('HGET', key, 'created'))
            if created == nil or created <= tonumber(ARGV[4]) then
                redis.call('ZREM', KEYS[1], id)
                if created then redis.call('PEXPIRE', key, ARGV[5]) end
            else
                redis.call('ZADD', KEYS[1], ARGV[3], id)
                table.insert(due, id)
            end
        end
        return due
        """;

    private RedisTaskKeys Keys => new(redis);

    /// <summary>How long a reservation lives without renewal: a dead replica's submits lapse within about twice the upstream timeout.</summary>
    public TimeSpan LeaseDuration => upstream.CurrentValue.Timeout * 2;

    public async Task<SlotReservation?> TryReserveSlotAsync(SubmitIntent intent, int maxActiveTasks)
    {
        var created = time.GetUtcNow();
        var now = created.ToUnixTimeMilliseconds();
        var result = await redis.RunAsync(db => db.ScriptEvaluateAsync(
            ReserveScript, [Keys.TenantSlots(intent.TenantId), Keys.ReservationSequence, Keys.Leases],
            [
                now, OldestCounted(now), maxActiveTasks, now + (long)LeaseDuration.TotalMilliseconds, redis.KeyPrefix,
                intent.TenantId, intent.Model, intent.RequestId, intent.UpstreamExternalId, intent.ClientExternalId ?? "",
                intent.IdempotencyKey ?? "", (long)options.CurrentValue.MaxTaskAge.TotalMilliseconds,
            ]));
        return result.IsNull ? null : new SlotReservation((long)result, intent, created);
    }

    public Task ReleaseSlotAsync(SlotReservation reservation) =>
        redis.RunAsync(db => db.ScriptEvaluateAsync(
            ReleaseScript, [Keys.TenantSlots(reservation.TenantId), Keys.Leases, Keys.Reservation(reservation.Id)],
            [ReservationMember(reservation), reservation.Id]));

    public async Task<RecordOutcome> RecordSubmittedAsync(SlotReservation reservation, TaskSnapshot snapshot)
    {
        var now = Now();
        var intent = reservation.Intent;
        var result = await redis.RunAsync(db => db.ScriptEvaluateAsync(
            RecordScript,
            [
                Keys.TenantSlots(intent.TenantId), Keys.Task(snapshot.TaskId), Keys.TenantTasks(intent.TenantId), Keys.Running,
                Keys.Leases, Keys.Reservation(reservation.Id), Keys.ExternalId(intent.TenantId, intent.ClientExternalId ?? ""),
            ],
            [
                ReservationMember(reservation), snapshot.TaskId, snapshot.Status.Name, snapshot.Data, reservation.CreatedAt.ToUnixTimeMilliseconds(), now,
                intent.TenantId, intent.Model, intent.RequestId, snapshot.Status.IsFinished ? "1" : "0", RetentionMs, now - RetentionMs,
                snapshot.Response, reservation.Id, intent.ClientExternalId ?? "",
                RetentionMs + (long)options.CurrentValue.MaxTaskAge.TotalMilliseconds,
            ]));
        return result.ToString() switch
        {
            "already" => RecordOutcome.AlreadyRecorded,
            "foreign" => RecordOutcome.OwnedByAnotherTenant,
            _ => RecordOutcome.Recorded,
        };
    }

    public async Task<IReadOnlyList<SlotReservation>> ClaimAbandonedAsync(int limit)
    {
        var now = Now();
        var claimed = (RedisValue[])(await redis.RunAsync(db => db.ScriptEvaluateAsync(
            ClaimAbandonedScript, [Keys.Leases], [now, limit, now + (long)LeaseDuration.TotalMilliseconds, redis.KeyPrefix])))!;
        var reservations = new List<SlotReservation>(claimed.Length / 8);
        for (var i = 0; i + 7 < claimed.Length; i += 8)
        {
            reservations.Add(new SlotReservation(
                (long)claimed[i],
                new SubmitIntent(claimed[i + 1]!, claimed[i + 2]!, claimed[i + 3]!, claimed[i + 4]!, NullIfEmpty(claimed[i + 5]), NullIfEmpty(claimed[i + 6])),
                DateTimeOffset.FromUnixTimeMilliseconds((long)claimed[i + 7])));
        }

        return reservations;
    }

    /// <summary>Extends the leases of reservations this process still holds (one round trip for all of them).</summary>
    public Task RenewLeasesAsync(IReadOnlyCollection<long> reservationIds)
    {
        var until = Now() + (long)LeaseDuration.TotalMilliseconds;
        var entries = reservationIds.Select(id => new SortedSetEntry(id, until)).ToArray();
        return redis.RunAsync(db => db.SortedSetAddAsync(Keys.Leases, entries, SortedSetWhen.Exists));
    }

    public async Task<TaskRecord?> FindAsync(string tenantId, string taskId)
    {
        var record = Read(taskId, await redis.RunAsync(db => db.HashGetAllAsync(Keys.Task(taskId))));
        return record?.TenantId == tenantId ? record : null;
    }

    public async Task<TaskRecord?> FindByExternalIdAsync(string tenantId, string clientExternalId)
    {
        var taskId = await redis.RunAsync(db => db.StringGetAsync(Keys.ExternalId(tenantId, clientExternalId)));
        return taskId.IsNull ? null : await FindAsync(tenantId, taskId.ToString());
    }

    public Task ObserveAsync(string tenantId, TaskSnapshot snapshot) =>
        redis.RunAsync(db => db.ScriptEvaluateAsync(
            ObserveScript,
            [Keys.Task(snapshot.TaskId), Keys.Running, Keys.TenantSlots(tenantId)],
            [snapshot.TaskId, snapshot.Status.Name, snapshot.Data, Now(), RetentionMs, tenantId, snapshot.Response]));

    public async Task<IReadOnlyList<TaskRecord>> ListAsync(string tenantId, int pageNum, int pageSize)
    {
        var start = (long)(pageNum - 1) * pageSize;
        var ids = await redis.RunAsync(db => db.SortedSetRangeByRankAsync(Keys.TenantTasks(tenantId), start, start + pageSize - 1, Order.Descending));
        var records = await ReadAllAsync(ids);
        return [.. records.Where(r => r.TenantId == tenantId)];
    }

    public async Task<IReadOnlyList<TaskRecord>> DueForRefreshAsync(DateTimeOffset observedBefore, int limit)
    {
        var now = Now();
        var due = await redis.RunAsync(db => db.ScriptEvaluateAsync(
            ClaimDueScript, [Keys.Running], [observedBefore.ToUnixTimeMilliseconds(), limit, now, OldestCounted(now), RetentionMs, redis.KeyPrefix]));
        return await ReadAllAsync((RedisValue[])due!);
    }

    public async Task<IReadOnlyDictionary<string, int>> ActiveCountsAsync(IReadOnlyCollection<string> tenantIds)
    {
        var oldest = OldestCounted(Now());
        var counts = await redis.RunAsync(db => Task.WhenAll(tenantIds.Select(id =>
            db.SortedSetLengthAsync(Keys.TenantSlots(id), oldest, double.PositiveInfinity, Exclude.Start))));
        return tenantIds.Zip(counts).ToDictionary(pair => pair.First, pair => (int)pair.Second, StringComparer.Ordinal);
    }

    public Task PingAsync() => redis.RunAsync(db => db.PingAsync());

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long OldestCounted(long now) => now - (long)options.CurrentValue.MaxTaskAge.TotalMilliseconds;

    private long RetentionMs => (long)options.CurrentValue.ResultRetention.TotalMilliseconds;

    private static string ReservationMember(SlotReservation reservation) =>
        "reservation:" + reservation.Id.ToString(CultureInfo.InvariantCulture);

    private async Task<IReadOnlyList<TaskRecord>> ReadAllAsync(RedisValue[] ids)
    {
        var hashes = await redis.RunAsync(db => Task.WhenAll(ids.Select(id => db.HashGetAllAsync(Keys.Task(id.ToString())))));
        return [.. ids.Zip(hashes).Select(pair => Read(pair.First.ToString(), pair.Second)).OfType<TaskRecord>()];
    }

    private static TaskRecord? Read(string taskId, HashEntry[] fields)
    {
        if (fields.Length == 0)
        {
            return null;
        }

        var values = fields.ToDictionary(f => f.Name.ToString(), f => f.Value);
        return new TaskRecord(
            taskId,
            values["tenant"].ToString(),
            values["model"].ToString(),
            new TaskState(values["status"].ToString()),
            DateTimeOffset.FromUnixTimeMilliseconds((long)values["created"]),
            DateTimeOffset.FromUnixTimeMilliseconds((long)values["updated"]),
            DateTimeOffset.FromUnixTimeMilliseconds((long)values["observed"]),
            values["request"].ToString(),
            values.TryGetValue("data", out var data) && data.HasValue ? data.ToString() : null,
            values.TryGetValue("response", out var response) && response.HasValue ? (byte[])response! : null,
            values.TryGetValue("external", out var external) && external.HasValue ? NullIfEmpty(external) : null);
    }

    private static string? NullIfEmpty(RedisValue value) => value.IsNullOrEmpty ? null : value.ToString();
}
