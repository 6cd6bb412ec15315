using Kling.Gateway.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Kling.Gateway.Tasks.Redis;

/// <summary>Idempotency keys in Redis: one hash per tenant and key, expiring with its window; claims are atomic across replicas.</summary>
internal sealed class RedisIdempotencyStore(RedisConnection redis, IOptionsMonitor<TasksOptions> options, TimeProvider time) : IIdempotencyStore
{
    private const string BeginScript = """
        local entry = redis.call('HMGET', KEYS[1], 'hash', 'state', 'status', 'response', 'claimed')
        if entry[1] then
            if entry[1] ~= ARGV[1] then return {'mismatch'} end
            if entry[2] == 'done' then return {'replay', entry[3], entry[4]} end
            if tonumber(entry[5]) > tonumber(ARGV[2]) - tonumber(ARGV[3]) then return {'inflight'} end
        end
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'hash', ARGV[1], 'state', 'pending', 'claimed', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return {'claimed'}
        """;

    private const string CompleteScript = """
        redis.call('HSET', KEYS[1], 'state', 'done', 'status', ARGV[1], 'response', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    private const string ForgetScript = """
        if redis.call('HGET', KEYS[1], 'state') == 'pending' then redis.call('DEL', KEYS[1]) end
        return 1
        """;

    public async Task<IdempotencyOutcome> BeginAsync(string tenantId, string key, string bodyHash, TimeSpan pendingLease)
    {
        var result = (RedisResult[])(await redis.RunAsync(db => db.ScriptEvaluateAsync(
            BeginScript, [Keys.Idempotency(tenantId, key)],
            [bodyHash, Now(), (long)pendingLease.TotalMilliseconds, WindowMs])))!;
        return result[0].ToString() switch
        {
            "claimed" => IdempotencyOutcome.Claimed,
            "mismatch" => IdempotencyOutcome.BodyMismatch,
            "inflight" => IdempotencyOutcome.InFlight,
            _ => new IdempotencyOutcome(IdempotencyState.Replay, (int)result[1], (byte[])result[2]!),
        };
    }

    public Task CompleteAsync(string tenantId, string key, int status, byte[] response) =>
        redis.RunAsync(db => db.ScriptEvaluateAsync(CompleteScript, [Keys.Idempotency(tenantId, key)], [status, response, WindowMs]));

    public Task ForgetAsync(string tenantId, string key) =>
        redis.RunAsync(db => db.ScriptEvaluateAsync(ForgetScript, [Keys.Idempotency(tenantId, key)]));

    private RedisTaskKeys Keys => new(redis);

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long WindowMs => (long)options.CurrentValue.IdempotencyWindow.TotalMilliseconds;
}
