using Kling.Gateway.Tasks;
using Kling.Gateway.Tasks.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kling.Gateway.Callbacks.Sqlite;

/// <summary>The callback outbox in the gateway's SQLite database, beside its tasks.</summary>
internal sealed class SqliteCallbackOutbox(SqliteDatabase database) : ICallbackOutbox
{
    public Task RegisterAsync(CallbackRegistration registration) => database.ExecuteAsync(
        "INSERT OR IGNORE INTO callbacks (task_id, tenant_id, url, token) VALUES ($p0, $p1, $p2, $p3)",
        registration.TaskId, registration.TenantId, registration.Url, registration.Token);

    public async Task<CallbackRegistration?> FindByTokenAsync(string token)
    {
        await using var connection = database.Open();
        await using var command = connection.Command("SELECT task_id, tenant_id, url, token FROM callbacks WHERE token = $p0", token);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new CallbackRegistration(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))
            : null;
    }

    public async Task<bool> EnqueueAsync(string taskId, TaskState status, string eventId, byte[] payload, DateTimeOffset now) =>
        await database.ExecuteAsync(
            """
            INSERT OR IGNORE INTO callback_events (event_id, tenant_id, task_id, status, url, payload, state, attempts, created_at, due_at)
            SELECT $p0, tenant_id, task_id, $p1, url, $p2, 'pending', 0, $p3, $p3 FROM callbacks WHERE task_id = $p4 AND stopped = 0
            """, eventId, status.Name, payload, now.ToUnixTimeMilliseconds(), taskId) == 1;

    public async Task<IReadOnlyList<CallbackEvent>> LeaseAsync(string owner, int max, DateTimeOffset now, DateTimeOffset leaseUntil) =>
        await database.WriteAsync(writer => writer.Query(
            """
            UPDATE callback_events SET lease_owner = $p0, lease_until = $p1 WHERE id IN (
                SELECT e.id FROM callback_events e
                WHERE e.state = 'pending' AND e.due_at <= $p2 AND e.lease_until <= $p2
                  AND NOT EXISTS (SELECT 1 FROM callback_events p WHERE p.task_id = e.task_id AND p.state = 'pending' AND p.id < e.id)
                ORDER BY e.due_at LIMIT $p3)
            RETURNING event_id, tenant_id, task_id, url, payload, attempts, created_at
            """, Read, owner, leaseUntil.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), max));

    public async Task SettleAsync(CallbackEvent callbackEvent, string owner, Settlement settlement, DateTimeOffset now)
    {
        await database.WriteAsync(writer =>
        {
            if (settlement.Kind == SettlementKind.Retry)
            {
                return writer.Execute(
                    """
                    UPDATE callback_events SET attempts = attempts + 1, due_at = $p2, lease_owner = NULL, lease_until = 0
                    WHERE event_id = $p0 AND lease_owner = $p1 AND state = 'pending'
                    """, callbackEvent.EventId, owner, settlement.RetryAt.ToUnixTimeMilliseconds());
            }

            var state = settlement.Kind switch
            {
                SettlementKind.Delivered => "delivered",
                SettlementKind.Failed => "failed",
                _ => "stopped",
            };
            var settled = writer.Execute(
                """
                UPDATE callback_events SET state = $p2, attempts = attempts + 1, payload = NULL, lease_owner = NULL
                WHERE event_id = $p0 AND lease_owner = $p1 AND state = 'pending'
                """, callbackEvent.EventId, owner, state);
            if (settled == 1 && settlement.Kind == SettlementKind.Stopped)
            {
                writer.Execute("UPDATE callbacks SET stopped = 1 WHERE task_id = $p0", callbackEvent.TaskId);
                writer.Execute(
                    "UPDATE callback_events SET state = 'stopped', payload = NULL WHERE task_id = $p0 AND state = 'pending'", callbackEvent.TaskId);
            }

            return settled;
        });
    }

    public async Task<IReadOnlyDictionary<string, PendingEvents>> PendingAsync(IReadOnlyCollection<string> tenantIds)
    {
        var pending = tenantIds.ToDictionary(id => id, _ => new PendingEvents(0, null), StringComparer.Ordinal);
        await using var connection = database.Open();
        await using var command = connection.Command(
            "SELECT tenant_id, COUNT(*), MIN(created_at) FROM callback_events WHERE state = 'pending' GROUP BY tenant_id");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (pending.ContainsKey(reader.GetString(0)))
            {
                pending[reader.GetString(0)] = new PendingEvents(reader.GetInt32(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));
            }
        }

        return pending;
    }

    private static CallbackEvent Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        (byte[])reader.GetValue(4),
        reader.GetInt32(5),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)));
}
