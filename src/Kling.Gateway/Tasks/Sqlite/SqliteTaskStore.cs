using System.Text.Json;
using Kling.Gateway.Upstream;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tasks.Sqlite;

/// <param name="upstream">Its <c>Timeout</c> bounds how long a submit may be in flight: a reservation older than that,
/// left by another process, died with it.</param>
internal sealed class SqliteTaskStore(
    SqliteDatabase database, IOptionsMonitor<TasksOptions> options, IOptionsMonitor<UpstreamOptions> upstream, TimeProvider time) : ITaskStore
{
    private const string Columns = "task_id, tenant_id, model, status, created_at, updated_at, observed_at, request_id, data, response, external_id";
    private const string ReservationColumns = "id, tenant_id, model, request_id, upstream_external_id, external_id, idempotency_key, created_at";
    private const string Finished = "('succeed', 'failed')";

    /// <summary>This process, in the reservations it makes: what another process reserved and never settled is abandoned.</summary>
    private readonly string _holder = Guid.NewGuid().ToString("N");

    public Task<SlotDecision> TryReserveSlotAsync(SubmitIntent intent, int maxActiveTasks, UnitCharge charge)
    {
        var created = time.GetUtcNow();
        var now = created.ToUnixTimeMilliseconds();
        var oldest = OldestCounted(now);
        var tenantId = intent.TenantId;
        return database.WriteAsync(writer =>
        {
            // Slots past the maximum task age are freed first, so they never block a submit.
            writer.Execute("UPDATE tasks SET holds_slot = 0 WHERE tenant_id = $p0 AND holds_slot = 1 AND created_at <= $p1", tenantId, oldest);
            if ((long)(writer.Scalar("SELECT active FROM tenant_slots WHERE tenant_id = $p0", tenantId) ?? 0L) >= maxActiveTasks)
            {
                return SlotDecision.Refused(SlotRefusal.Concurrency);
            }

            if (!Fits(writer, tenantId, charge.Day, charge.Estimate, charge.DayLimit))
            {
                return SlotDecision.Refused(SlotRefusal.DayBudget);
            }

            if (!Fits(writer, tenantId, charge.Month, charge.Estimate, charge.MonthLimit))
            {
                return SlotDecision.Refused(SlotRefusal.MonthBudget);
            }

            var id = (long)writer.Scalar(
                """
                INSERT INTO tasks (tenant_id, model, status, holds_slot, created_at, updated_at, observed_at, request_id,
                                   external_id, upstream_external_id, idempotency_key, holder)
                VALUES ($p0, $p1, 'reserved', 1, $p2, $p2, $p2, $p3, $p4, $p5, $p6, $p7) RETURNING id
                """, intent.TenantId, intent.Model, now, intent.RequestId, intent.ClientExternalId, intent.UpstreamExternalId,
                intent.IdempotencyKey, _holder)!;
            writer.Execute(
                "INSERT INTO task_units (id, tenant_id, model, mode, day, month, estimate) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6)",
                id, tenantId, intent.Model, charge.Mode, charge.Day, charge.Month, charge.Estimate);
            return new SlotDecision(new SlotReservation(id, intent, created), SlotRefusal.None);
        });
    }

    public Task ReleaseSlotAsync(SlotReservation reservation) =>
        database.ExecuteAsync("DELETE FROM tasks WHERE id = $p0 AND task_id IS NULL", reservation.Id);

    public Task<RecordOutcome> RecordSubmittedAsync(SlotReservation reservation, TaskSnapshot snapshot)
    {
        var now = Now();
        var intent = reservation.Intent;
        return database.WriteAsync(writer =>
        {
            var owner = writer.Scalar("SELECT tenant_id FROM tasks WHERE task_id = $p0", snapshot.TaskId);
            if (owner is string known)
            {
                writer.Execute("DELETE FROM tasks WHERE id = $p0 AND task_id IS NULL", reservation.Id);
                return known == intent.TenantId ? RecordOutcome.AlreadyRecorded : RecordOutcome.OwnedByAnotherTenant;
            }

            var updated = writer.Execute(
                $"""
                UPDATE tasks SET task_id = $p1, status = $p2, data = $p3, response = $p5, updated_at = $p4, observed_at = $p4,
                                 holds_slot = CASE WHEN $p2 IN {Finished} THEN 0 ELSE holds_slot END, idempotency_key = NULL, holder = NULL
                WHERE id = $p0 AND task_id IS NULL
                """, reservation.Id, snapshot.TaskId, snapshot.Status.Name, snapshot.Data, now, snapshot.Response);
            if (updated == 1)
            {
                Settle(writer, reservation.Id, snapshot);
            }
            else
            {
                // The reservation is gone (freed past the maximum task age): the task is the tenant's all the same.
                writer.Execute(
                    $"""
                    INSERT INTO tasks (tenant_id, task_id, model, status, holds_slot, created_at, updated_at, observed_at, request_id,
                                       data, response, external_id, upstream_external_id)
                    VALUES ($p0, $p1, $p2, $p3, CASE WHEN $p3 IN {Finished} THEN 0 ELSE 1 END, $p4, $p5, $p5, $p6, $p7, $p8, $p9, $p10)
                    """, intent.TenantId, snapshot.TaskId, intent.Model, snapshot.Status.Name, reservation.CreatedAt.ToUnixTimeMilliseconds(),
                    now, intent.RequestId, snapshot.Data, snapshot.Response, intent.ClientExternalId, intent.UpstreamExternalId);
            }

            return RecordOutcome.Recorded;
        });
    }

    public Task<IReadOnlyList<SlotReservation>> ClaimAbandonedAsync(int limit)
    {
        var madeBefore = Now() - (long)upstream.CurrentValue.Timeout.TotalMilliseconds;
        return database.WriteAsync<IReadOnlyList<SlotReservation>>(writer => writer.Query(
            $"""
            UPDATE tasks SET holder = $p0 WHERE id IN (
                SELECT id FROM tasks WHERE task_id IS NULL AND holder IS NOT $p0 AND created_at <= $p1 ORDER BY id LIMIT $p2)
            RETURNING {ReservationColumns}
            """, ReadReservation, _holder, madeBefore, limit));
    }

    public async Task<TaskRecord?> FindAsync(string tenantId, string taskId)
    {
        var found = await QueryAsync($"SELECT {Columns} FROM tasks WHERE task_id = $p0 AND tenant_id = $p1", taskId, tenantId);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<TaskRecord?> FindByExternalIdAsync(string tenantId, string clientExternalId)
    {
        var found = await QueryAsync(
            $"SELECT {Columns} FROM tasks WHERE tenant_id = $p0 AND external_id = $p1 AND task_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            tenantId, clientExternalId);
        return found.Count == 0 ? null : found[0];
    }

    public Task ObserveAsync(string tenantId, TaskSnapshot snapshot)
    {
        var now = Now();
        return database.WriteAsync(writer =>
        {
            var id = writer.Scalar(
                $"""
                UPDATE tasks SET updated_at = CASE WHEN status <> $p1 THEN $p3 ELSE updated_at END,
                                 status = $p1, data = $p2, response = $p5, observed_at = $p3,
                                 holds_slot = CASE WHEN $p1 IN {Finished} THEN 0 ELSE holds_slot END
                WHERE task_id = $p0 AND tenant_id = $p4 RETURNING id
                """, snapshot.TaskId, snapshot.Status.Name, snapshot.Data, now, tenantId, snapshot.Response);
            return id is long reserved ? Settle(writer, reserved, snapshot) : 0;
        });
    }

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

    public async Task<IReadOnlyList<UnitTotal>> UnitTotalsAsync(IReadOnlyCollection<string> tenantIds, IReadOnlyCollection<string> periods)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(
            """
            SELECT tenant_id, period, model, mode, reserved, used FROM unit_totals
            WHERE tenant_id IN (SELECT value FROM json_each($p0)) AND period IN (SELECT value FROM json_each($p1))
            """, JsonSerializer.Serialize(tenantIds), JsonSerializer.Serialize(periods));
        await using var reader = await command.ExecuteReaderAsync();
        var totals = new List<UnitTotal>();
        while (await reader.ReadAsync())
        {
            totals.Add(new UnitTotal(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5)));
        }

        return totals;
    }

    public async Task PingAsync()
    {
        await using var connection = database.Open();
        await using var command = connection.Command("SELECT 1");
        await command.ExecuteScalarAsync();
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Whether the estimate fits the period's budget beside what is already used or reserved in it.</summary>
    private static bool Fits(SqliteWriter writer, string tenantId, string period, long estimate, long? limit) =>
        limit is not { } budget
        || (long)writer.Scalar("SELECT COALESCE(SUM(reserved + used), 0) FROM unit_totals WHERE tenant_id = $p0 AND period = $p1", tenantId, period)!
           + estimate <= budget;

    /// <summary>A finished task's units, once: only a reservation not yet settled is (whoever observes the finish first).</summary>
    private static int Settle(SqliteWriter writer, long id, TaskSnapshot snapshot) =>
        snapshot.Status.IsFinished
            ? writer.Execute("UPDATE task_units SET units = COALESCE($p1, estimate) WHERE id = $p0 AND units IS NULL", id, snapshot.Charge)
            : 0;

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
        reader.IsDBNull(9) ? null : (byte[])reader.GetValue(9),
        reader.IsDBNull(10) ? null : reader.GetString(10));

    private static SlotReservation ReadReservation(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        new SubmitIntent(
            reader.GetString(1), reader.GetString(2), reader.GetString(3),
            // Reservations made before external ids were kept have none: nothing to look up by.
            reader.IsDBNull(4) ? "" : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)));
}
