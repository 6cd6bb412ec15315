using System.Globalization;
using Kling.Gateway.Storage;
using Kling.Gateway.Tasks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Kling.Gateway.Callbacks.Redis;

/// <summary>
/// The callback outbox in Redis, shared by replicas. Per task a list of event ids (delivery order); a sorted set of
/// tasks whose first event is due (by due time); leasing moves a task's due time to the lease's end and names the
/// holder in the event, so another replica takes the event over only if the holder dies. Each step is one Lua script.
/// Keys are built in the scripts from the prefix, so this needs a single Redis node, not Cluster.
/// </summary>
internal sealed class RedisCallbackOutbox(RedisConnection redis, IOptionsMonitor<TasksOptions> options) : ICallbackOutbox
{
    private const string EnqueueScript = """
        local reg = redis.call('HMGET', KEYS[1], 'tenant', 'url', 'stopped')
        if not reg[1] or reg[3] == '1' then return 0 end
        if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
        redis.call('PEXPIRE', KEYS[2], ARGV[7])
        redis.call('HSET', ARGV[6] .. 'cb:event:' .. ARGV[2], 'tenant', reg[1], 'task', ARGV[5], 'url', reg[2], 'payload', ARGV[3],
                   'attempts', 0, 'created', ARGV[4], 'owner', '')
        redis.call('RPUSH', KEYS[3], ARGV[2])
        redis.call('ZADD', KEYS[4], 'NX', ARGV[4], ARGV[5])
        redis.call('ZADD', ARGV[6] .. 'cb:pending:' .. reg[1], ARGV[4], ARGV[2])
        return 1
        """;

    // Insert-if-absent: a task's callback, once kept, is never replaced.
    private const string RegisterScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'tenant', ARGV[1], 'url', ARGV[2], 'token', ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5])
        return 1
        """;

    private const string LeaseScript = """
        local tasks = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
        local leased = {}
        for _, task in ipairs(tasks) do
            local head = redis.call('LINDEX', ARGV[5] .. 'cb:queue:' .. task, 0)
            if not head then
                redis.call('ZREM', KEYS[1], task)
            elseif redis.call('EXISTS', ARGV[5] .. 'cb:event:' .. head) == 0 then
                redis.call('LPOP', ARGV[5] .. 'cb:queue:' .. task)
                redis.call('ZADD', KEYS[1], ARGV[1], task)
            else
                redis.call('ZADD', KEYS[1], ARGV[2], task)
                local key = ARGV[5] .. 'cb:event:' .. head
                redis.call('HSET', key, 'owner', ARGV[4])
                local fields = redis.call('HMGET', key, 'tenant', 'url', 'payload', 'attempts', 'created')
                table.insert(leased, head)
                table.insert(leased, task)
                for _, value in ipairs(fields) do table.insert(leased, value) end
            end
        end
        return leased
        """;

    private const string SettleScript = """
        if redis.call('HGET', KEYS[3], 'owner') ~= ARGV[1] then return 0 end
        local tenant = redis.call('HGET', KEYS[3], 'tenant')
        if ARGV[2] == 'retry' then
            redis.call('HINCRBY', KEYS[3], 'attempts', 1)
            redis.call('HSET', KEYS[3], 'owner', '')
            redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
            return 1
        end
        if ARGV[2] == 'stop' then
            for _, id in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
                redis.call('DEL', ARGV[6] .. 'cb:event:' .. id)
                redis.call('ZREM', ARGV[6] .. 'cb:pending:' .. tenant, id)
            end
            redis.call('DEL', KEYS[2])
            redis.call('ZREM', KEYS[1], ARGV[4])
            redis.call('HSET', ARGV[6] .. 'cb:reg:' .. ARGV[4], 'stopped', '1')
            return 1
        end
        redis.call('LREM', KEYS[2], 1, ARGV[5])
        redis.call('DEL', KEYS[3])
        redis.call('ZREM', ARGV[6] .. 'cb:pending:' .. tenant, ARGV[5])
        if redis.call('LLEN', KEYS[2]) > 0 then redis.call('ZADD', KEYS[1], ARGV[7], ARGV[4]) else redis.call('ZREM', KEYS[1], ARGV[4]) end
        return 1
        """;

    private RedisCallbackKeys Keys => new(redis);

    private string Prefix => redis.KeyPrefix;

    private long RetentionMs => (long)options.CurrentValue.ResultRetention.TotalMilliseconds;

    public Task RegisterAsync(CallbackRegistration registration) => redis.RunAsync(db => db.ScriptEvaluateAsync(
        RegisterScript,
        [Keys.Registration(registration.TaskId), Keys.Token(registration.Token)],
        [registration.TenantId, registration.Url, registration.Token, registration.TaskId, RetentionMs]));

    public async Task<CallbackRegistration?> FindByTokenAsync(string token)
    {
        var taskId = await redis.RunAsync(db => db.StringGetAsync(Keys.Token(token)));
        if (taskId.IsNull)
        {
            return null;
        }

        var fields = await redis.RunAsync(db => db.HashGetAsync(Keys.Registration(taskId.ToString()), ["tenant", "url"]));
        return fields[0].IsNull ? null : new CallbackRegistration(taskId.ToString(), fields[0].ToString(), fields[1].ToString(), token);
    }

    public async Task<bool> EnqueueAsync(string taskId, TaskState status, string eventId, byte[] payload, DateTimeOffset now)
    {
        var queued = await redis.RunAsync(db => db.ScriptEvaluateAsync(
            EnqueueScript,
            [Keys.Registration(taskId), Keys.Seen(taskId), Keys.Queue(taskId), Keys.Due],
            [status.Name, eventId, payload, now.ToUnixTimeMilliseconds(), taskId, Prefix, RetentionMs]));
        return (long)queued == 1;
    }

    public async Task<IReadOnlyList<CallbackEvent>> LeaseAsync(string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        var result = (RedisResult[])(await redis.RunAsync(db => db.ScriptEvaluateAsync(
            LeaseScript, [Keys.Due], [now.ToUnixTimeMilliseconds(), leaseUntil.ToUnixTimeMilliseconds(), max, owner, Prefix])))!;
        var leased = new List<CallbackEvent>(result.Length / 7);
        for (var i = 0; i + 6 < result.Length; i += 7)
        {
            leased.Add(new CallbackEvent(
                result[i].ToString(),
                result[i + 2].ToString(),
                result[i + 1].ToString(),
                result[i + 3].ToString(),
                (byte[])result[i + 4]!,
                int.Parse(result[i + 5].ToString(), CultureInfo.InvariantCulture),
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(result[i + 6].ToString(), CultureInfo.InvariantCulture))));
        }

        return leased;
    }

    public Task SettleAsync(CallbackEvent callbackEvent, string owner, Settlement settlement, DateTimeOffset now)
    {
        var outcome = settlement.Kind switch
        {
            SettlementKind.Retry => "retry",
            SettlementKind.Stopped => "stop",
            _ => "done",
        };
        return redis.RunAsync(db => db.ScriptEvaluateAsync(
            SettleScript,
            [Keys.Due, Keys.Queue(callbackEvent.TaskId), Keys.Event(callbackEvent.EventId)],
            [owner, outcome, settlement.RetryAt.ToUnixTimeMilliseconds(), callbackEvent.TaskId, callbackEvent.EventId, Prefix, now.ToUnixTimeMilliseconds()]));
    }

    public async Task<IReadOnlyDictionary<string, PendingEvents>> PendingAsync(IReadOnlyCollection<string> tenantIds)
    {
        var pending = new Dictionary<string, PendingEvents>(StringComparer.Ordinal);
        foreach (var tenantId in tenantIds)
        {
            var key = Keys.Pending(tenantId);
            var count = await redis.RunAsync(db => db.SortedSetLengthAsync(key));
            var oldest = await redis.RunAsync(db => db.SortedSetRangeByRankWithScoresAsync(key, 0, 0));
            pending[tenantId] = new PendingEvents((int)count, oldest.Length == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)oldest[0].Score));
        }

        return pending;
    }
}
