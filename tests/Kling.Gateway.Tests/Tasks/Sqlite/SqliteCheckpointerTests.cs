using Kling.Gateway.Tasks.Sqlite;
using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace Kling.Gateway.Tests.Tasks.Sqlite;

/// <summary>The background checkpoint thread when SQLite refuses its checkpoints.</summary>
public sealed class SqliteCheckpointerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kling-checkpoint-").FullName;

    [Fact]
    public async Task A_failing_checkpoint_is_logged_once_with_its_error_and_the_thread_goes_on()
    {
        var path = Path.Combine(_directory, "gateway.db");
        // Pages in the log, which stays while this connection is open.
        using var writer = new SqliteConnection($"Data Source={path};Pooling=False");
        writer.Open();
        using var setup = writer.Command("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('x');");
        setup.ExecuteNonQuery();

        // A read-only connection cannot copy them into the file: SQLite fails every checkpoint it runs.
        var readOnly = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        readOnly.Open();
        var logs = new CapturedLogs();
        using var loggers = new SerilogLoggerFactory(new LoggerConfiguration().WriteTo.Sink(logs).CreateLogger(), dispose: true);
        var checkpointer = new SqliteCheckpointer(readOnly, loggers.CreateLogger<SqliteCheckpointer>());

        checkpointer.Committed();
        Assert.True(await Eventually.TrueAsync(() => Warnings(logs).Length == 1));
        // Five more rounds, one after another (a round gathers commits for 20 ms).
        for (var round = 0; round < 5; round++)
        {
            checkpointer.Committed();
            await Task.Delay(60);
        }

        checkpointer.Dispose();
        var warning = Assert.Single(Warnings(logs));
        Assert.Contains("disk I/O error", warning.Exception!.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static LogEvent[] Warnings(CapturedLogs logs) => [.. logs.Events.Where(e => e.Level == LogEventLevel.Warning)];
}
