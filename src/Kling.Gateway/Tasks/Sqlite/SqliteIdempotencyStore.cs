using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tasks.Sqlite;

internal sealed class SqliteIdempotencyStore(SqliteDatabase database, IOptionsMonitor<TasksOptions> options, TimeProvider time) : IIdempotencyStore
{
    public Task<IdempotencyOutcome> BeginAsync(string tenantId, string key, string bodyHash, TimeSpan pendingLease, CancellationToken cancellationToken)
    {
        var now = Now();
        return database.WriteAsync(async connection =>
        {
            await using (var select = connection.Command(
                "SELECT body_hash, state, status_code, response, claimed_at FROM idempotency WHERE tenant_id = $p0 AND key = $p1 AND expires_at > $p2",
                tenantId, key, now))
            await using (var reader = await select.ExecuteReaderAsync(CancellationToken.None))
            {
                if (await reader.ReadAsync(CancellationToken.None))
                {
                    if (reader.GetString(0) != bodyHash)
                    {
                        return IdempotencyOutcome.BodyMismatch;
                    }

                    if (reader.GetString(1) == "done")
                    {
                        return new IdempotencyOutcome(IdempotencyState.Replay, reader.GetInt32(2), (byte[])reader.GetValue(3));
                    }

                    if (reader.GetInt64(4) > now - (long)pendingLease.TotalMilliseconds)
                    {
                        return IdempotencyOutcome.InFlight;
                    }
                }
            }

            // New, expired, or a claim abandoned by a crashed request: claim it now.
            await using var claim = connection.Command(
                """
                INSERT OR REPLACE INTO idempotency (tenant_id, key, body_hash, state, claimed_at, expires_at)
                VALUES ($p0, $p1, $p2, 'pending', $p3, $p4)
                """, tenantId, key, bodyHash, now, now + Window);
            await claim.ExecuteNonQueryAsync(CancellationToken.None);
            return IdempotencyOutcome.Claimed;
        }, cancellationToken);
    }

    public Task CompleteAsync(string tenantId, string key, int status, byte[] response, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE idempotency SET state = 'done', status_code = $p2, response = $p3, expires_at = $p4 WHERE tenant_id = $p0 AND key = $p1",
            cancellationToken, tenantId, key, status, response, Now() + Window);

    public Task ForgetAsync(string tenantId, string key, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM idempotency WHERE tenant_id = $p0 AND key = $p1 AND state = 'pending'", cancellationToken, tenantId, key);

    public Task ExpireAsync(CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM idempotency WHERE expires_at <= $p0", cancellationToken, Now());

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long Window => (long)options.CurrentValue.IdempotencyWindow.TotalMilliseconds;
}
