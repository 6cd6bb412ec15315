using Kling.Gateway.Storage;
using Kling.Gateway.Tasks.Sqlite;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace Kling.Gateway.Tests.Tasks.Sqlite;

/// <summary>The group-commit writer: what a failing operation undoes, alone in its transaction or beside others.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kling-sqlite-").FullName;
    private readonly SqliteDatabase _database;

    public SqliteDatabaseTests()
    {
        var options = Options.Create(new StoreOptions { Sqlite = { Path = Path.Combine(_directory, "gateway.db") } });
        _database = new SqliteDatabase(options, new HostingEnvironment { ContentRootPath = _directory });
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

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
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
