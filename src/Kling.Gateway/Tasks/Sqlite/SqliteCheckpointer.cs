using Microsoft.Data.Sqlite;

namespace Kling.Gateway.Tasks.Sqlite;

/// <summary>
/// Copies committed pages from the write-ahead log into the database file on a thread of its own, so that the writer
/// thread does not wait for it. Left to SQLite, the commit that crosses the log's threshold copies the pages and syncs
/// both files before it returns (about 9 ms per 1000 pages under a stream of submits), and every write queued behind
/// it waits as long. A copy racing the writer cannot restart the log, which needs every page copied: the writer still
/// checkpoints at <see cref="WriterThresholdPages"/>, usually with only the pages since the last round left to copy.
/// </summary>
internal sealed partial class SqliteCheckpointer : IDisposable
{
    /// <summary>
    /// The log's size (pages) at which the writer's own commit checkpoints what this thread has not. Not a hard limit:
    /// a commit that meets a round still running skips its checkpoint, so the log also holds what was committed meanwhile.
    /// </summary>
    public const int WriterThresholdPages = 4000;

    /// <summary>How long commits gather before a round: a page is copied once per round however often it changed.</summary>
    private static readonly TimeSpan Round = TimeSpan.FromMilliseconds(20);

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _checkpoint;
    private readonly ILogger<SqliteCheckpointer> _logger;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private bool _committed;
    private bool _closed;
    private bool _failing;

    public SqliteCheckpointer(SqliteConnection connection, ILogger<SqliteCheckpointer> logger)
    {
        _connection = connection;
        _logger = logger;
        // PASSIVE: copies what no reader still needs and never waits for the writer or for readers.
        _checkpoint = connection.Command("PRAGMA wal_checkpoint(PASSIVE)");
        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite-checkpoint" };
        _thread.Start();
    }

    /// <summary>Called by the writer after each commit. Only the first commit of a round takes the lock.</summary>
    public void Committed()
    {
        if (Volatile.Read(ref _committed))
        {
            return;
        }

        lock (_gate)
        {
            _committed = true;
            Monitor.Pulse(_gate);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
        _checkpoint.Dispose();
        _connection.Dispose();
    }

    private void Run()
    {
        while (WaitForCommit())
        {
            Thread.Sleep(Round);
            lock (_gate)
            {
                // Cleared only now: the commits made while this round gathered are copied by it and need no round of their own.
                _committed = false;
            }

            Checkpoint();
        }
    }

    private void Checkpoint()
    {
        try
        {
            _checkpoint.ExecuteNonQuery();
            if (_failing)
            {
                _failing = false;
                LogCheckpointRecovered(_logger);
            }
        }
        catch (Exception ex)
        {
            // Nothing is lost: the pages stay in the log, and the writer's own checkpoint copies them. Whatever failed,
            // this thread goes on (an exception left to end it would end the process). A failure that lasts is logged
            // once, not once a round.
            if (!_failing)
            {
                _failing = true;
                LogCheckpointFailed(_logger, ex);
            }
        }
    }

    /// <summary>Sleeps until a commit has come since the last round; false once closed.</summary>
    private bool WaitForCommit()
    {
        lock (_gate)
        {
            while (!_committed && !_closed)
            {
                Monitor.Wait(_gate);
            }

            return !_closed;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Background checkpoints of the SQLite store are failing; the writer's own checkpoints take over until they recover")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Background checkpoints of the SQLite store have recovered")]
    private static partial void LogCheckpointRecovered(ILogger logger);
}
