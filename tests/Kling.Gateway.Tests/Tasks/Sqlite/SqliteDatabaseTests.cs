using Kling.Gateway.Storage;
using Kling.Gateway.Tasks.Sqlite;
using Kling.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tests.Tasks.Sqlite;

/// <summary>
/// The group-commit writer: what a failing operation undoes, alone in its transaction or beside others; and the
/// checkpoints that keep its log short.
/// </summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kling-sqlite-").FullName;
    private readonly SqliteDatabase _database;

    public SqliteDatabaseTests()
    {
        var options = Options.Create(new StoreOptions { Sqlite = { Path = Path.Combine(_directory, "gateway.db") } });
        _database = new SqliteDatabase(options, new HostingEnvironment { ContentRootPath = _directory }, NullLogger<SqliteCheckpointer>.Instance);
        _database.WriteAsync(writer => writer.Execute("CREATE TABLE t (v TEXT NOT NULL)")).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task An_operation_that_fails_alone_keeps_nothing_and_the_next_write_succeeds()
    {
        var failing = _database.WriteAsync<int>(writer =>
        {
            writer.Execute("INSERT INTO t (v) VALUES ('half-done')");
            throw new InvalidOperationException("broken");
        });

        Assert.Equal("broken", (await Assert.ThrowsAsync<InvalidOperationException>(() => failing)).Message);
        Assert.Equal(1, await _database.ExecuteAsync("INSERT INTO t (v) VALUES ('after')"));
        Assert.Equal(["after"], await ValuesAsync());
    }

    [Fact]
    public async Task An_operation_that_fails_beside_others_undoes_only_itself()
    {
        // Queued together behind a write that holds the writer, so that they share one transaction.
        using var release = new ManualResetEventSlim();
        var holding = _database.WriteAsync(writer => release.Wait(TimeSpan.FromSeconds(10)));
        var first = _database.ExecuteAsync("INSERT INTO t (v) VALUES ('first')");
        var failing = _database.WriteAsync<int>(writer =>
        {
            writer.Execute("INSERT INTO t (v) VALUES ('half-done')");
            throw new InvalidOperationException("broken");
        });
        var last = _database.ExecuteAsync("INSERT INTO t (v) VALUES ('last')");
        release.Set();

        Assert.True(await holding);
        Assert.Equal(1, await first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal(1, await last);
        Assert.Equal(["first", "last"], await ValuesAsync());
    }

    [Fact]
    public async Task A_failing_statement_fails_its_operation_with_the_database_error()
    {
        var failing = _database.ExecuteAsync("INSERT INTO t (v) VALUES (NULL)");

        var error = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => failing);
        Assert.Contains("NOT NULL", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await _database.ExecuteAsync("INSERT INTO t (v) VALUES ('after')"));
    }

    [Fact]
    public async Task Commits_reach_the_database_file_while_the_log_is_below_the_writers_threshold()
    {
        var file = new FileInfo(Path.Combine(_directory, "gateway.db"));
        var before = file.Length;

        // About 64 pages, far below the writer's own threshold: only the background checkpoint copies them.
        for (var i = 0; i < 64; i++)
        {
            await _database.ExecuteAsync("INSERT INTO t (v) VALUES ($p0)", new string('x', 4000));
        }

        Assert.True(await Eventually.TrueAsync(() =>
        {
            file.Refresh();
            return file.Length >= before + (64 * 4000);
        }));
    }

    [Fact]
    public async Task The_log_restarts_under_a_stream_of_writes()
    {
        // 12 000 pages in 240 commits of 50 rows: three times the writer's threshold.
        for (var i = 0; i < 240; i++)
        {
            await _database.WriteAsync(writer =>
            {
                for (var row = 0; row < 50; row++)
                {
                    writer.Execute("INSERT INTO t (v) VALUES ($p0)", new string('x', 4000));
                }

                return true;
            });
        }

        // A log restarts from its start once all of it is copied, so its file never holds every page written. How far
        // it passes the threshold depends on the disk (commits made while a round runs are left to a later checkpoint).
        var log = new FileInfo(Path.Combine(_directory, "gateway.db-wal"));
        Assert.InRange(log.Length, 1, (12_000 - 1) * (4096 + 24));
        Assert.Equal(12_000, await CountAsync());
    }

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<long> CountAsync()
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM t";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string[]> ValuesAsync()
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT v FROM t ORDER BY rowid";
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return [.. values];
    }
}
