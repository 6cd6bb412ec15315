using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tasks.Sqlite;

internal sealed class SqliteIdempotencyStore(SqliteDatabase database, IOptionsMonitor<TasksOptions> options, TimeProvider time) : IIdempotencyStore
{
    public Task<IdempotencyOutcome> BeginAsync(string tenantId, string key, string bodyHash, TimeSpan pendingLease)
    {
        var now = Now();
        var window = Window;
        return database.WriteAsync(writer =>
        {
            var existing = writer.Query(
                "SELECT body_hash, state, status_code, response, claimed_at FROM idempotency WHERE tenant_id = $p0 AND key = $p1 AND expires_at > $p2",
                reader => reader.GetString(0) != bodyHash ? IdempotencyOutcome.BodyMismatch
                    : reader.GetString(1) == "done" ? new IdempotencyOutcome(IdempotencyState.Replay, reader.GetInt32(2), (byte[])reader.GetValue(3))
                    : reader.GetInt64(4) > now - (long)pendingLease.TotalMilliseconds ? IdempotencyOutcome.InFlight
                    : null,
                tenantId, key, now);
            if (existing.Count == 1 && existing[0] is { } outcome)
            {
                return outcome;
            }

            // New, expired, or a claim abandoned by a crashed request: claim it now.
            writer.Execute(
                """
                INSERT OR REPLACE INTO idempotency (tenant_id, key, body_hash, state, claimed_at, expires_at)
                VALUES ($p0, $p1, $p2, 'pending', $p3, $p4)
                """, tenantId, key, bodyHash, now, now + window);
            return IdempotencyOutcome.Claimed;
        });
    }

    public Task CompleteAsync(string tenantId, string key, int status, byte[] response) =>
        database.ExecuteAsync(
            "UPDATE idempotency SET state = 'done', status_code = $p2, response = $p3, expires_at = $p4 WHERE tenant_id = $p0 AND key = $p1",
            tenantId, key, status, response, Now() + Window);

    public Task ForgetAsync(string tenantId, string key) =>
        database.ExecuteAsync("DELETE FROM idempotency WHERE tenant_id = $p0 AND key = $p1 AND state = 'pending'", tenantId, key);

    public Task ExpireAsync() =>
        database.ExecuteAsync("DELETE FROM idempotency WHERE expires_at <= $p0", Now());

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long Window => (long)options.CurrentValue.IdempotencyWindow.TotalMilliseconds;
}
