using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tasks.Sqlite;

internal sealed class SqliteTaskStore(SqliteDatabase database, IOptionsMonitor<TasksOptions> options, TimeProvider time) : ITaskStore
{
    private const string Columns = "task_id, tenant_id, model, status, created_at, updated_at, observed_at, request_id, data, response";
    private const string Finished = "('succeed', 'failed')";

    public Task<SlotReservation?> TryReserveSlotAsync(string tenantId, string model, string requestId, int maxActiveTasks)
    {
        var created = time.GetUtcNow();
        var now = created.ToUnixTimeMilliseconds();
        var oldest = OldestCounted(now);
        return database.WriteAsync<SlotReservation?>(writer =>
        {
            // Slots past the maximum task age are freed first, so they never block a submit.
            writer.Execute("UPDATE tasks SET holds_slot = 0 WHERE tenant_id = $p0 AND holds_slot = 1 AND created_at <= $p1", tenantId, oldest);
            if ((long)(writer.Scalar("SELECT active FROM tenant_slots WHERE tenant_id = $p0", tenantId) ?? 0L) >= maxActiveTasks)
            {
                return null;
            }

            var id = (long)writer.Scalar(
                """
                INSERT INTO tasks (tenant_id, model, status, holds_slot, created_at, updated_at, observed_at, request_id)
                VALUES ($p0, $p1, 'reserved', 1, $p2, $p2, $p2, $p3) RETURNING id
                """, tenantId, model, now, requestId)!;
            return new SlotReservation(id, tenantId, model, requestId, created);
        });
    }

    public Task ReleaseSlotAsync(SlotReservation reservation) =>
        database.ExecuteAsync("DELETE FROM tasks WHERE id = $p0 AND task_id IS NULL", reservation.Id);

    public Task RecordSubmittedAsync(SlotReservation reservation, TaskSnapshot snapshot) =>
        database.ExecuteAsync(
            $"""
            UPDATE tasks SET task_id = $p1, status = $p2, data = $p3, response = $p5, updated_at = $p4, observed_at = $p4,
                             holds_slot = CASE WHEN $p2 IN {Finished} THEN 0 ELSE holds_slot END
            WHERE id = $p0
            """, reservation.Id, snapshot.TaskId, snapshot.Status.Name, snapshot.Data, Now(), snapshot.Response);

    public async Task<TaskRecord?> FindAsync(string tenantId, string taskId)
    {
        var found = await QueryAsync($"SELECT {Columns} FROM tasks WHERE task_id = $p0 AND tenant_id = $p1", taskId, tenantId);
        return found.Count == 0 ? null : found[0];
    }

    public Task ObserveAsync(string tenantId, TaskSnapshot snapshot) =>
        database.ExecuteAsync(
            $"""
            UPDATE tasks SET updated_at = CASE WHEN status <> $p1 THEN $p3 ELSE updated_at END,
                             status = $p1, data = $p2, response = $p5, observed_at = $p3,
                             holds_slot = CASE WHEN $p1 IN {Finished} THEN 0 ELSE holds_slot END
            WHERE task_id = $p0 AND tenant_id = $p4
            """, snapshot.TaskId, snapshot.Status.Name, snapshot.Data, Now(), tenantId, snapshot.Response);

    public Task<IReadOnlyList<TaskRecord>> ListAsync(string tenantId, int pageNum, int pageSize) =>
        QueryAsync(
            $"""
            SELECT {Columns} FROM tasks WHERE tenant_id = $p0 AND task_id IS NOT NULL
            ORDER BY created_at DESC, id DESC LIMIT $p1 OFFSET $p2
            """, tenantId, pageSize, (pageNum - 1) * pageSize);

    public async Task<IReadOnlyList<TaskRecord>> DueForRefreshAsync(DateTimeOffset observedBefore, int limit)
    {
        var now = Now();
        return await database.WriteAsync(writer => writer.Query(
            $"""
            UPDATE tasks SET observed_at = $p3 WHERE id IN (
                SELECT id FROM tasks WHERE holds_slot = 1 AND task_id IS NOT NULL AND observed_at < $p0 AND created_at > $p1
                ORDER BY observed_at LIMIT $p2)
            RETURNING {Columns}
            """, Read, observedBefore.ToUnixTimeMilliseconds(), OldestCounted(now), limit, now));
    }

    /// <summary>Frees the slots of tasks past the maximum task age (a reservation frees its tenant's too, at once).</summary>
    public Task ExpireAsync() =>
        database.ExecuteAsync("UPDATE tasks SET holds_slot = 0 WHERE holds_slot = 1 AND created_at <= $p0", OldestCounted(Now()));

    /// <summary>As of the last expiry (each reservation and each maintenance round expire old slots).</summary>
    public async Task<IReadOnlyDictionary<string, int>> ActiveCountsAsync(IReadOnlyCollection<string> tenantIds)
    {
        await using var connection = database.Open();
        await using var command = connection.Command("SELECT tenant_id, active FROM tenant_slots");
        await using var reader = await command.ExecuteReaderAsync();
        var counts = tenantIds.ToDictionary(id => id, _ => 0, StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            if (counts.ContainsKey(reader.GetString(0)))
            {
                counts[reader.GetString(0)] = reader.GetInt32(1);
            }
        }

        return counts;
    }

    public async Task PingAsync()
    {
        await using var connection = database.Open();
        await using var command = connection.Command("SELECT 1");
        await command.ExecuteScalarAsync();
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Tasks created at or before this no longer count: slots never outlive the maximum task age.</summary>
    private long OldestCounted(long now) => now - (long)options.CurrentValue.MaxTaskAge.TotalMilliseconds;

    private async Task<IReadOnlyList<TaskRecord>> QueryAsync(string sql, params object?[] parameters)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var records = new List<TaskRecord>();
        while (await reader.ReadAsync())
        {
            records.Add(Read(reader));
        }

        return records;
    }

    private static TaskRecord Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        new TaskState(reader.GetString(3)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetString(8),
        reader.IsDBNull(9) ? null : (byte[])reader.GetValue(9));
}
