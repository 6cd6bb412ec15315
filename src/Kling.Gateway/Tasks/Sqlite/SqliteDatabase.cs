using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tasks.Sqlite;

/// <summary>The embedded database file: opens pooled connections and creates the schema.</summary>
internal sealed class SqliteDatabase
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

    public SqliteDatabase(IOptions<StoreOptions> options, IHostEnvironment environment)
    {
        var path = System.IO.Path.GetFullPath(options.Value.Sqlite.Path, environment.ContentRootPath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Runs one statement on its own connection (parameters <c>$p0</c>, <c>$p1</c>, ...).</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var connection = Open();
        await using var command = connection.Command(sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
