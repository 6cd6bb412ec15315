using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tasks.Sqlite;

/// <summary>
/// The embedded database file. Reads use pooled connections (WAL lets them run beside a write); writes are queued
/// on one long-lived connection, one transaction at a time, because SQLite has one writer anyway and waiting for
/// its lock inside SQLite would block threads.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS tasks (
            id          INTEGER PRIMARY KEY,
            tenant_id   TEXT    NOT NULL,
            task_id     TEXT    UNIQUE,          -- null while the submit is in flight
            model       TEXT    NOT NULL,
            status      TEXT    NOT NULL,        -- reserved, submitted, processing, succeed, failed
            holds_slot  INTEGER NOT NULL,        -- 1 while it counts against MaxActiveTasks
            created_at  INTEGER NOT NULL,        -- unix ms
            updated_at  INTEGER NOT NULL,        -- unix ms of the last status change
            observed_at INTEGER NOT NULL,        -- unix ms of the last upstream answer
            request_id  TEXT    NOT NULL,
            data        TEXT                     -- the upstream's last data object
        );
        CREATE INDEX IF NOT EXISTS ix_tasks_slots ON tasks (tenant_id, holds_slot, created_at);
        CREATE INDEX IF NOT EXISTS ix_tasks_list ON tasks (tenant_id, created_at DESC, id DESC);
        CREATE INDEX IF NOT EXISTS ix_tasks_refresh ON tasks (holds_slot, observed_at);

        -- Slots in use per tenant, kept by triggers so a reservation reads one row instead of counting tasks.
        CREATE TABLE IF NOT EXISTS tenant_slots (tenant_id TEXT PRIMARY KEY, active INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TRIGGER IF NOT EXISTS tasks_slot_taken AFTER INSERT ON tasks WHEN NEW.holds_slot = 1 BEGIN
            INSERT INTO tenant_slots (tenant_id, active) VALUES (NEW.tenant_id, 1)
            ON CONFLICT (tenant_id) DO UPDATE SET active = active + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS tasks_slot_dropped AFTER DELETE ON tasks WHEN OLD.holds_slot = 1 BEGIN
            UPDATE tenant_slots SET active = active - 1 WHERE tenant_id = OLD.tenant_id;
        END;
        CREATE TRIGGER IF NOT EXISTS tasks_slot_freed AFTER UPDATE OF holds_slot ON tasks
        WHEN OLD.holds_slot = 1 AND NEW.holds_slot = 0 BEGIN
            UPDATE tenant_slots SET active = active - 1 WHERE tenant_id = OLD.tenant_id;
        END;

        CREATE TABLE IF NOT EXISTS idempotency (
            tenant_id   TEXT    NOT NULL,
            key         TEXT    NOT NULL,
            body_hash   TEXT    NOT NULL,
            state       TEXT    NOT NULL,        -- pending, done
            status_code INTEGER,
            response    BLOB,
            claimed_at  INTEGER NOT NULL,
            expires_at  INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, key)
        ) WITHOUT ROWID;
        """;

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeTurn = new(1, 1);

    public SqliteDatabase(IOptions<StoreOptions> options, IHostEnvironment environment)
    {
        var path = System.IO.Path.GetFullPath(options.Value.Sqlite.Path, environment.ContentRootPath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        _writer = Open();
        // WAL with NORMAL: a commit is durable once the WAL is synced at checkpoint; a power cut may lose the last commits, never corrupt.
        using var command = _writer.Command(Schema + "PRAGMA synchronous = NORMAL;");
        command.ExecuteNonQuery();
    }

    /// <summary>A pooled connection for reading.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> as one write transaction, after the writes queued before it.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeTurn.WaitAsync(cancellationToken);
        try
        {
            await using var transaction = _writer.BeginTransaction(deferred: false);
            var result = await work(_writer);
            await transaction.CommitAsync(CancellationToken.None);
            return result;
        }
        finally
        {
            _writeTurn.Release();
        }
    }

    /// <summary>Runs one writing statement (parameters <c>$p0</c>, <c>$p1</c>, ...).</summary>
    public Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params object?[] parameters) =>
        WriteAsync(async connection =>
        {
            await using var command = connection.Command(sql, parameters);
            return await command.ExecuteNonQueryAsync(CancellationToken.None);
        }, cancellationToken);

    public void Dispose()
    {
        _writer.Dispose();
        _writeTurn.Dispose();
    }
}
