using System.Globalization;
using Kling.Gateway.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Kling.Gateway.Tasks.Redis;

/// <summary>
/// Tasks, ownership and active-task slots in Redis, shared by every gateway replica. Each decision that must be
/// atomic (reserve a slot, record a task, observe a status) is one Lua script: one round trip, no race between replicas.
/// </summary>
internal sealed class RedisTaskStore(RedisConnection redis, IOptionsMonitor<TasksOptions> options, TimeProvider time)
    : ITaskStore
{
    private const string ReserveScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return false end
        local id = redis.call('INCR', KEYS[2])
        redis.call('ZADD', KEYS[1], ARGV[1], 'reservation:' .. id)
        return id
        """;

    private const string RecordScript = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HSET', KEYS[2], 'tenant', ARGV[7], 'model', ARGV[8], 'status', ARGV[3], 'created', ARGV[5],
                   'updated', ARGV[6], 'observed', ARGV[6], 'request', ARGV[9], 'data', ARGV[4], 'response', ARGV[13])
        redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[12])
        if ARGV[10] == '1' then
            redis.call('PEXPIRE', KEYS[2], ARGV[11])
        else
            redis.call('ZADD', KEYS[1], ARGV[5], ARGV[2])
            redis.call('ZADD', KEYS[4], ARGV[6], ARGV[2])
        end
        return 1
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

    // Task keys are built here from the prefix (ARGV[6] .. 'task:' .. id), so this script needs a single Redis node, not Cluster.
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

    public async Task<SlotReservation?> TryReserveSlotAsync(string tenantId, string model, string requestId, int maxActiveTasks)
    {
        var created = time.GetUtcNow();
        var now = created.ToUnixTimeMilliseconds();
        var result = await redis.RunAsync(db => db.ScriptEvaluateAsync(
            ReserveScript, [Keys.TenantSlots(tenantId), Keys.ReservationSequence], [now, OldestCounted(now), maxActiveTasks]));
        return result.IsNull ? null : new SlotReservation((long)result, tenantId, model, requestId, created);
    }

    public Task ReleaseSlotAsync(SlotReservation reservation) =>
        redis.RunAsync(db => db.SortedSetRemoveAsync(Keys.TenantSlots(reservation.TenantId), ReservationMember(reservation)));

    public Task RecordSubmittedAsync(SlotReservation reservation, TaskSnapshot snapshot)
    {
        var now = Now();
        return redis.RunAsync(db => db.ScriptEvaluateAsync(
            RecordScript,
            [Keys.TenantSlots(reservation.TenantId), Keys.Task(snapshot.TaskId), Keys.TenantTasks(reservation.TenantId), Keys.Running],
            [
                ReservationMember(reservation), snapshot.TaskId, snapshot.Status.Name, snapshot.Data, reservation.CreatedAt.ToUnixTimeMilliseconds(), now,
                reservation.TenantId, reservation.Model, reservation.RequestId, snapshot.Status.IsFinished ? "1" : "0", RetentionMs, now - RetentionMs,
                snapshot.Response,
            ]));
    }

    public async Task<TaskRecord?> FindAsync(string tenantId, string taskId)
    {
        var record = Read(taskId, await redis.RunAsync(db => db.HashGetAllAsync(Keys.Task(taskId))));
        return record?.TenantId == tenantId ? record : null;
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
            values.TryGetValue("response", out var response) && response.HasValue ? (byte[])response! : null);
    }
}
