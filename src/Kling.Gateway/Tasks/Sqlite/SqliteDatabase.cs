using Microsoft.Data.Sqlite;
using Kling.Gateway.Storage;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tasks.Sqlite;

/// <summary>
/// The embedded database file. Reads use pooled connections (WAL lets them run beside writes). Writes go through one
/// writer thread on one long-lived connection with prepared statements: SQLite has one writer anyway, and waiting
/// for its lock inside SQLite would block request threads. Committed pages are copied from the log into the file by
/// <see cref="SqliteCheckpointer"/>, beside the writer.
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
            data        TEXT,                    -- the upstream's last data object
            response    BLOB,                    -- the upstream's last whole answer
            external_id TEXT,                    -- the client's own external_task_id
            upstream_external_id TEXT,           -- the external_task_id the upstream saw
            idempotency_key TEXT,                -- the submit's key, while reserved
            holder      TEXT                     -- the process that made the reservation
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
        -- Slots taken before the counters existed (a tenant with a counter row has been counted by the triggers).
        INSERT OR IGNORE INTO tenant_slots (tenant_id, active)
            SELECT tenant_id, COUNT(*) FROM tasks WHERE holds_slot = 1 GROUP BY tenant_id;

        -- Units: each reservation's estimate (thousandths of a unit), settled once (units set) to what the task cost.
        CREATE TABLE IF NOT EXISTS task_units (
            id        INTEGER PRIMARY KEY,     -- the reservation's tasks.id
            tenant_id TEXT    NOT NULL,
            model     TEXT    NOT NULL,
            mode      TEXT    NOT NULL,
            day       TEXT    NOT NULL,        -- the budget periods of the submit: day:yyyy-MM-dd, month:yyyy-MM (UTC)
            month     TEXT    NOT NULL,
            estimate  INTEGER NOT NULL,
            units     INTEGER                  -- null while reserved
        );
        -- Reserved and used units per tenant, period (the day, the month, and 'total') and model/mode, kept by triggers.
        CREATE TABLE IF NOT EXISTS unit_totals (
            tenant_id TEXT    NOT NULL,
            period    TEXT    NOT NULL,
            model     TEXT    NOT NULL,
            mode      TEXT    NOT NULL,
            reserved  INTEGER NOT NULL,
            used      INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, period, model, mode)
        ) WITHOUT ROWID;
        CREATE TRIGGER IF NOT EXISTS task_units_reserved AFTER INSERT ON task_units BEGIN
            INSERT INTO unit_totals (tenant_id, period, model, mode, reserved, used)
            VALUES (NEW.tenant_id, NEW.day, NEW.model, NEW.mode, NEW.estimate, 0),
                   (NEW.tenant_id, NEW.month, NEW.model, NEW.mode, NEW.estimate, 0),
                   (NEW.tenant_id, 'total', NEW.model, NEW.mode, NEW.estimate, 0)
            ON CONFLICT (tenant_id, period, model, mode) DO UPDATE SET reserved = reserved + excluded.reserved;
        END;
        CREATE TRIGGER IF NOT EXISTS task_units_settled AFTER UPDATE OF units ON task_units
        WHEN OLD.units IS NULL AND NEW.units IS NOT NULL BEGIN
            UPDATE unit_totals SET reserved = reserved - NEW.estimate, used = used + NEW.units
            WHERE tenant_id = NEW.tenant_id AND period IN (NEW.day, NEW.month, 'total') AND model = NEW.model AND mode = NEW.mode;
        END;
        CREATE TRIGGER IF NOT EXISTS task_units_released AFTER DELETE ON task_units WHEN OLD.units IS NULL BEGIN
            UPDATE unit_totals SET reserved = reserved - OLD.estimate
            WHERE tenant_id = OLD.tenant_id AND period IN (OLD.day, OLD.month, 'total') AND model = OLD.model AND mode = OLD.mode;
        END;
        -- A reservation that created no task gives its units back, however it is removed.
        CREATE TRIGGER IF NOT EXISTS tasks_units_released AFTER DELETE ON tasks BEGIN
            DELETE FROM task_units WHERE id = OLD.id AND units IS NULL;
        END;
        -- A task that loses its slot by age without being seen to finish may have been charged: it costs its estimate.
        CREATE TRIGGER IF NOT EXISTS tasks_units_aged AFTER UPDATE OF holds_slot ON tasks
        WHEN OLD.holds_slot = 1 AND NEW.holds_slot = 0 AND NEW.status NOT IN ('succeed', 'failed') BEGIN
            UPDATE task_units SET units = estimate WHERE id = NEW.id AND units IS NULL;
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

        -- Callbacks: the tenant's callback_url of a task, and the outbox of events for it (Callbacks/Sqlite).
        CREATE TABLE IF NOT EXISTS callbacks (
            task_id   TEXT    PRIMARY KEY,
            tenant_id TEXT    NOT NULL,
            url       TEXT    NOT NULL,
            token     TEXT    NOT NULL UNIQUE,   -- of the gateway's own hint URL given to the upstream
            stopped   INTEGER NOT NULL DEFAULT 0 -- 1 once the receiver answered 410
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS callback_events (
            id          INTEGER PRIMARY KEY,     -- delivery order within a task
            event_id    TEXT    NOT NULL UNIQUE, -- webhook-id
            tenant_id   TEXT    NOT NULL,
            task_id     TEXT    NOT NULL,
            status      TEXT    NOT NULL,
            url         TEXT    NOT NULL,
            payload     BLOB,                    -- dropped once settled
            state       TEXT    NOT NULL,        -- pending, delivered, failed, stopped
            attempts    INTEGER NOT NULL,
            created_at  INTEGER NOT NULL,        -- unix ms
            due_at      INTEGER NOT NULL,        -- unix ms of the next attempt
            lease_owner TEXT,
            lease_until INTEGER NOT NULL DEFAULT 0,
            UNIQUE (task_id, status)             -- one event per status, whoever observed it
        );
        CREATE INDEX IF NOT EXISTS ix_callback_events_due ON callback_events (state, due_at);
        """;

    private const int MaxBatch = 256;

    private static readonly (string Column, string Type)[] AddedColumns =
        [("response", "BLOB"), ("external_id", "TEXT"), ("upstream_external_id", "TEXT"), ("idempotency_key", "TEXT"), ("holder", "TEXT")];

    private readonly string _connectionString;
    private readonly SqliteWriter _writer;
    // Guarded by its own lock. The writer thread blocks on it (Monitor.Wait) while it is empty: a thread that spins
    // while waiting for work (as a blocking wait on a task or a channel does) burns the CPU that requests need.
    private readonly Queue<WriteOperation> _queue = new();
    private bool _closed;
    private readonly Thread _writerThread;
    private readonly SqliteCheckpointer _checkpointer;

    public SqliteDatabase(IOptions<StoreOptions> options, IHostEnvironment environment, ILogger<SqliteCheckpointer> checkpointLogger)
    {
        var path = System.IO.Path.GetFullPath(options.Value.Sqlite.Path, environment.ContentRootPath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        _writer = new SqliteWriter(Open());
        // WAL with NORMAL: a commit is durable once the WAL is synced at checkpoint; a power cut may lose the last commits, never corrupt.
        // At the larger threshold the writer checkpoints only what the checkpoint thread has not copied yet.
        _writer.Execute(Schema + $"PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = {SqliteCheckpointer.WriterThresholdPages};");
        // Databases made by earlier versions gain the columns added since.
        foreach (var (column, type) in AddedColumns)
        {
            if ((long)_writer.Scalar("SELECT COUNT(*) FROM pragma_table_info('tasks') WHERE name = $p0", column)! == 0)
            {
                _writer.Execute($"ALTER TABLE tasks ADD COLUMN {column} {type}");
            }
        }

        _writer.Execute("CREATE INDEX IF NOT EXISTS ix_tasks_external ON tasks (tenant_id, external_id) WHERE external_id IS NOT NULL");

        _checkpointer = new SqliteCheckpointer(Open(), checkpointLogger);
        _writerThread = new Thread(WriteLoop) { IsBackground = true, Name = "sqlite-writer" };
        _writerThread.Start();
    }

    /// <summary>A pooled connection for reading.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Queues <paramref name="work"/> for the writer thread, which runs whatever is queued together in one transaction
    /// (group commit: one commit for many requests), each in a savepoint of its own so that one failure undoes only itself.
    /// The task completes once the transaction has committed.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteWriter, T> work)
    {
        var operation = new WriteOperation<T>(work);
        lock (_queue)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _queue.Enqueue(operation);
            // The writer waits only on an empty queue, so only the first operation queued has to wake it.
            if (_queue.Count == 1)
            {
                Monitor.Pulse(_queue);
            }
        }

        return operation.Task;
    }

    /// <summary>Runs one writing statement (parameters <c>$p0</c>, <c>$p1</c>, ...).</summary>
    public Task<int> ExecuteAsync(string sql, params object?[] parameters) => WriteAsync(writer => writer.Execute(sql, parameters));

    public void Dispose()
    {
        lock (_queue)
        {
            _closed = true;
            Monitor.Pulse(_queue);
        }

        _writerThread.Join();
        _checkpointer.Dispose();
        _writer.Dispose();
    }

    private void WriteLoop()
    {
        var batch = new List<WriteOperation>(MaxBatch);
        var done = new List<WriteOperation>(MaxBatch);
        while (TakeBatch(batch))
        {
            RunBatch(batch, done);
            batch.Clear();
            done.Clear();
        }
    }

    /// <summary>
    /// One transaction for the batch. An operation alone in it needs no savepoint: if it fails, the whole transaction is
    /// rolled back, which undoes the same.
    /// </summary>
    private void RunBatch(List<WriteOperation> batch, List<WriteOperation> done)
    {
        var alone = batch.Count == 1;
        try
        {
            _writer.Execute("BEGIN IMMEDIATE");
            foreach (var operation in batch)
            {
                if (!alone)
                {
                    _writer.Execute("SAVEPOINT operation");
                }

                try
                {
                    operation.Run(_writer);
                    if (!alone)
                    {
                        _writer.Execute("RELEASE operation");
                    }

                    done.Add(operation);
                }
                catch (Exception ex) when (!alone)
                {
                    // Its own error first: should SQLite have rolled back the whole transaction (disk full, I/O), the
                    // savepoint is gone and the rest of the batch fails below.
                    operation.Fail(ex);
                    _writer.Execute("ROLLBACK TO operation");
                    _writer.Execute("RELEASE operation");
                }
            }

            _writer.Execute("COMMIT");
            done.ForEach(operation => operation.Complete());
            _checkpointer.Committed();
        }
        catch (Exception ex)
        {
            // The transaction failed (its only operation, or the transaction itself: locked by another process past the
            // timeout, disk full, I/O): none of it is kept, and the writer goes on with the next batch.
            RollBack();
            batch.ForEach(operation => operation.Fail(ex));
        }
    }

    private void RollBack()
    {
        try
        {
            _writer.Execute("ROLLBACK");
        }
        catch (SqliteException)
        {
            // No transaction was open (BEGIN itself failed), or SQLite had already rolled it back.
        }
    }

    /// <summary>Waits for queued operations and takes up to <see cref="MaxBatch"/> of them; false once closed and drained.</summary>
    private bool TakeBatch(List<WriteOperation> batch)
    {
        lock (_queue)
        {
            while (_queue.Count == 0)
            {
                if (_closed)
                {
                    return false;
                }

                Monitor.Wait(_queue);
            }

            while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            return true;
        }
    }

    private abstract class WriteOperation
    {
        public abstract void Run(SqliteWriter writer);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteOperation<T>(Func<SqliteWriter, T> work) : WriteOperation
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override void Run(SqliteWriter writer) => _result = work(writer);

        public override void Complete() => _completion.TrySetResult(_result!);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
