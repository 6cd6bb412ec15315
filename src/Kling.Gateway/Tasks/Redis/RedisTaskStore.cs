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
    // A reservation's or task's units, settled once: the charge entry is deleted by whoever settles it first. cost is
    // 'estimate', a number of thousandths, or '' (released: nothing used). The usage keys come from the entry (one node, not Cluster).
    private const string SettleFunction = """
        local function settle(charges, member, cost)
            local raw = redis.call('HGET', charges, member)
            if not raw then return 0 end
            redis.call('HDEL', charges, member)
            local charge = cjson.decode(raw)
            if cost == 'estimate' then cost = charge.e else cost = tonumber(cost) end
            for _, key in ipairs(charge.k) do
                redis.call('HINCRBY', key, 'reserved', -charge.e)
                redis.call('HINCRBY', key, 'reserved|' .. charge.f, -charge.e)
                if cost then
                    redis.call('HINCRBY', key, 'used', cost)
                    redis.call('HINCRBY', key, 'used|' .. charge.f, cost)
                end
            end
            return 1
        end

        """;

    // Returns the reservation id, or -1 (no slot), -2 (day budget), -3 (month budget). Slots past the maximum age are
    // dropped first; a task that aged out without being seen to finish may have been charged: it costs its estimate.
    // The reservation also becomes a lease (KEYS[7]) and a hash of what its submit is (its key built from the prefix).
    private const string ReserveScript = SettleFunction + """
        for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])) do settle(KEYS[3], member, 'estimate') end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
        local estimate = tonumber(ARGV[4])
        for i = 1, 2 do
            local limit = tonumber(ARGV[4 + i])
            if limit >= 0 then
                local spent = redis.call('HMGET', KEYS[3 + i], 'reserved', 'used')
                if (tonumber(spent[1]) or 0) + (tonumber(spent[2]) or 0) + estimate > limit then return -1 - i end
            end
        end
        local id = redis.call('INCR', KEYS[2])
        local member = 'reservation:' .. id
        redis.call('ZADD', KEYS[1], ARGV[1], member)
        redis.call('HSET', KEYS[3], member, cjson.encode({e = estimate, f = ARGV[7], k = {KEYS[4], KEYS[5], KEYS[6]}}))
        for i = 4, 6 do
            redis.call('HINCRBY', KEYS[i], 'reserved', estimate)
            redis.call('HINCRBY', KEYS[i], 'reserved|' .. ARGV[7], estimate)
        end
        redis.call('PEXPIRE', KEYS[4], ARGV[8])
        redis.call('PEXPIRE', KEYS[5], ARGV[9])
        redis.call('ZADD', KEYS[7], ARGV[10], id)
        local key = ARGV[11] .. 'reservation:' .. id
        redis.call('HSET', key, 'tenant', ARGV[12], 'model', ARGV[13], 'request', ARGV[14], 'upstream_external', ARGV[15],
                   'external', ARGV[16], 'key', ARGV[17], 'created', ARGV[1])
        redis.call('PEXPIRE', key, ARGV[18])
        return id
        """;

    private const string ReleaseScript = SettleFunction + """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[2])
        redis.call('DEL', KEYS[3])
        return settle(KEYS[4], ARGV[1], '')
        """;

    // Insert-if-absent: a task id already recorded keeps its owner (the reservation's units are then given back);
    // either way the reservation is settled.
    private const string RecordScript = SettleFunction + """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[5], ARGV[14])
        redis.call('DEL', KEYS[6])
        local owner = redis.call('HGET', KEYS[2], 'tenant')
        if owner then
            settle(KEYS[8], ARGV[1], '')
            if owner == ARGV[7] then return 'already' end
            return 'foreign'
        end
        local charge = redis.call('HGET', KEYS[8], ARGV[1])
        if charge then
            redis.call('HDEL', KEYS[8], ARGV[1])
            redis.call('HSET', KEYS[8], ARGV[2], charge)
        end
        redis.call('HSET', KEYS[2], 'tenant', ARGV[7], 'model', ARGV[8], 'status', ARGV[3], 'created', ARGV[5],
                   'updated', ARGV[6], 'observed', ARGV[6], 'request', ARGV[9], 'data', ARGV[4], 'response', ARGV[13],
                   'external', ARGV[15])
        redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[12])
        if ARGV[10] == '1' then
            redis.call('PEXPIRE', KEYS[2], ARGV[11])
            settle(KEYS[8], ARGV[2], ARGV[17])
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

    private const string ObserveScript = SettleFunction + """
        if redis.call('HGET', KEYS[1], 'tenant') ~= ARGV[6] then return 0 end
        if redis.call('HGET', KEYS[1], 'status') ~= ARGV[2] then redis.call('HSET', KEYS[1], 'updated', ARGV[4]) end
        redis.call('HSET', KEYS[1], 'status', ARGV[2], 'data', ARGV[3], 'observed', ARGV[4], 'response', ARGV[7])
        if ARGV[2] == 'succeed' or ARGV[2] == 'failed' then
            redis.call('ZREM', KEYS[3], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            settle(KEYS[4], ARGV[1], ARGV[8])
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

    public async Task<SlotDecision> TryReserveSlotAsync(SubmitIntent intent, int maxActiveTasks, UnitCharge charge)
    {
        var created = time.GetUtcNow();
        var now = created.ToUnixTimeMilliseconds();
        var tenantId = intent.TenantId;
        var result = (long)await redis.RunAsync(db => db.ScriptEvaluateAsync(
            ReserveScript,
            [
                Keys.TenantSlots(tenantId), Keys.ReservationSequence, Keys.TenantCharges(tenantId),
                Keys.TenantUnits(tenantId, charge.Day), Keys.TenantUnits(tenantId, charge.Month), Keys.TenantUnits(tenantId, UnitCharge.Total),
                Keys.Leases,
            ],
            [
                now, OldestCounted(now), maxActiveTasks, charge.Estimate, charge.DayLimit ?? -1, charge.MonthLimit ?? -1,
                intent.Model + "|" + charge.Mode, (long)DayUnitsKept.TotalMilliseconds, (long)MonthUnitsKept.TotalMilliseconds,
                now + (long)LeaseDuration.TotalMilliseconds, redis.KeyPrefix,
                tenantId, intent.Model, intent.RequestId, intent.UpstreamExternalId, intent.ClientExternalId ?? "",
                intent.IdempotencyKey ?? "", (long)options.CurrentValue.MaxTaskAge.TotalMilliseconds,
            ]));
        return result switch
        {
            -1 => SlotDecision.Refused(SlotRefusal.Concurrency),
            -2 => SlotDecision.Refused(SlotRefusal.DayBudget),
            -3 => SlotDecision.Refused(SlotRefusal.MonthBudget),
            _ => new SlotDecision(new SlotReservation(result, intent, created), SlotRefusal.None),
        };
    }

    public Task ReleaseSlotAsync(SlotReservation reservation) =>
        redis.RunAsync(db => db.ScriptEvaluateAsync(
            ReleaseScript,
            [Keys.TenantSlots(reservation.TenantId), Keys.Leases, Keys.Reservation(reservation.Id), Keys.TenantCharges(reservation.TenantId)],
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
                Keys.TenantCharges(intent.TenantId),
            ],
            [
                ReservationMember(reservation), snapshot.TaskId, snapshot.Status.Name, snapshot.Data, reservation.CreatedAt.ToUnixTimeMilliseconds(), now,
                intent.TenantId, intent.Model, intent.RequestId, snapshot.Status.IsFinished ? "1" : "0", RetentionMs, now - RetentionMs,
                snapshot.Response, reservation.Id, intent.ClientExternalId ?? "",
                RetentionMs + (long)options.CurrentValue.MaxTaskAge.TotalMilliseconds, Cost(snapshot),
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
            [Keys.Task(snapshot.TaskId), Keys.Running, Keys.TenantSlots(tenantId), Keys.TenantCharges(tenantId)],
            [snapshot.TaskId, snapshot.Status.Name, snapshot.Data, Now(), RetentionMs, tenantId, snapshot.Response, Cost(snapshot)]));

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

    public async Task<IReadOnlyList<UnitTotal>> UnitTotalsAsync(IReadOnlyCollection<string> tenantIds, IReadOnlyCollection<string> periods)
    {
        var wanted = tenantIds.SelectMany(tenant => periods.Select(period => (tenant, period))).ToList();
        var hashes = await redis.RunAsync(db => Task.WhenAll(wanted.Select(w => db.HashGetAllAsync(Keys.TenantUnits(w.tenant, w.period)))));
        var totals = new List<UnitTotal>();
        foreach (var ((tenant, period), fields) in wanted.Zip(hashes))
        {
            // Fields: reserved|<model>|<mode> and used|<model>|<mode> (plus the period's sums, reserved and used).
            var byModel = new Dictionary<string, (long Reserved, long Used)>(StringComparer.Ordinal);
            foreach (var field in fields)
            {
                var name = field.Name.ToString();
                var split = name.IndexOf('|', StringComparison.Ordinal);
                if (split < 0)
                {
                    continue;
                }

                var key = name[(split + 1)..];
                var (reserved, used) = byModel.GetValueOrDefault(key);
                byModel[key] = name[..split] == "used" ? (reserved, (long)field.Value) : ((long)field.Value, used);
            }

            foreach (var (key, (reserved, used)) in byModel)
            {
                var mode = key.LastIndexOf('|');
                totals.Add(new UnitTotal(tenant, period, key[..mode], key[(mode + 1)..], reserved, used));
            }
        }

        return totals;
    }

    public Task PingAsync() => redis.RunAsync(db => db.PingAsync());

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long OldestCounted(long now) => now - (long)options.CurrentValue.MaxTaskAge.TotalMilliseconds;

    /// <summary>How long a day's and a month's unit counts are kept (after that only the totals remain).</summary>
    private static readonly TimeSpan DayUnitsKept = TimeSpan.FromDays(40);
    private static readonly TimeSpan MonthUnitsKept = TimeSpan.FromDays(400);

    /// <summary>What settles a finished task's units: its charge, else its estimate.</summary>
    private static string Cost(TaskSnapshot snapshot) =>
        snapshot.Charge is { } charge ? charge.ToString(CultureInfo.InvariantCulture) : "estimate";

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
