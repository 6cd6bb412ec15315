using Kling.Gateway.Tasks.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kling.Gateway.Tests.Tasks.Sqlite;

/// <summary>The writer's statements, bound in place: every value keeps its type, and each <c>$pN</c> gets its own value.</summary>
public sealed class SqliteWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kling-writer-").FullName;
    private readonly SqliteWriter _writer;

    public SqliteWriterTests()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, "w.db"), Pooling = false }.ToString());
        connection.Open();
        _writer = new SqliteWriter(connection);
    }

    public static TheoryData<object?, string> Values => new()
    {
        { "", "text" },
        { "réponse ✓", "text" },
        { Array.Empty<byte>(), "blob" },
        { new byte[] { 0, 1, 2 }, "blob" },
        { 42L, "integer" },
        { 7, "integer" },
        { true, "integer" },
        { 0.5, "real" },
        { null, "null" },
        { DBNull.Value, "null" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void A_value_is_stored_and_read_back_as_it_was_given(object? value, string sqliteType)
    {
        _writer.Execute("CREATE TABLE IF NOT EXISTS v (value)");
        _writer.Execute("DELETE FROM v");

        Assert.Equal(1, _writer.Execute("INSERT INTO v (value) VALUES ($p0)", value));

        Assert.Equal(sqliteType, _writer.Scalar("SELECT typeof(value) FROM v"));
        var expected = value switch { null or DBNull => null, int n => (long)n, bool flag => flag ? 1L : 0L, _ => value };
        Assert.Equal(expected, _writer.Scalar("SELECT value FROM v"));
    }

    [Fact]
    public void Parameters_are_bound_by_name_whatever_order_the_statement_uses_them_in()
    {
        Assert.Equal("c|a|c|b", _writer.Scalar("SELECT $p2 || '|' || $p0 || '|' || $p2 || '|' || $p1", "a", "b", "c"));
        // Run again with other values: the prepared statement is reused.
        Assert.Equal("z|x|z|y", _writer.Scalar("SELECT $p2 || '|' || $p0 || '|' || $p2 || '|' || $p1", "x", "y", "z"));
        // A parameter number the statement does not use is ignored.
        Assert.Equal("second", _writer.Scalar("SELECT $p1", "unused", "second"));
    }

    [Fact]
    public void A_missing_value_or_a_value_of_an_unknown_type_is_refused_not_bound_as_null()
    {
        Assert.Throws<ArgumentException>(() => _writer.Scalar("SELECT $p0 || $p1", "only one"));
        Assert.Throws<NotSupportedException>(() => _writer.Scalar("SELECT $p0", DateTime.UnixEpoch));
        Assert.Throws<ArgumentException>(() => _writer.Scalar("SELECT :other", "x"));
    }

    [Fact]
    public void A_script_runs_every_statement_in_order_and_SQLite_errors_reach_the_caller()
    {
        _writer.Execute("CREATE TABLE s (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX ix_s ON s (v); INSERT INTO s (v) VALUES ('one');");

        Assert.Equal(1L, _writer.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_s'"));
        Assert.Null(_writer.Scalar("SELECT v FROM s WHERE id = $p0", 99L));
        var error = Assert.Throws<SqliteException>(() => _writer.Execute("INSERT INTO s (id, v) VALUES ($p0, $p1)", 1L, null));
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        // The statement was reset after its error: it runs again.
        Assert.Equal(1, _writer.Execute("INSERT INTO s (id, v) VALUES ($p0, $p1)", 2L, "two"));
    }

    [Fact]
    public void A_script_takes_no_parameters_and_what_is_only_a_comment_runs_nothing()
    {
        _writer.Execute("CREATE TABLE c (v TEXT)");

        // Bound values would not reach the script's statements: refused before anything runs.
        Assert.Throws<ArgumentException>(() => _writer.Execute("INSERT INTO c (v) VALUES ($p0); -- a note", "lost"));
        Assert.Equal(0L, _writer.Scalar("SELECT COUNT(*) FROM c"));
        Assert.Equal(1, _writer.Execute("INSERT INTO c (v) VALUES ('kept'); -- a note"));
        Assert.Equal(-1, _writer.Execute("-- only a note"));
        Assert.Equal(-1, _writer.Execute(""));
        Assert.Throws<ArgumentException>(() => _writer.Scalar("  "));
    }

    [Fact]
    public void Rows_changed_are_counted_as_the_provider_counts_them()
    {
        _writer.Execute("CREATE TABLE n (v INTEGER)");
        Assert.Equal(2, _writer.Execute("INSERT INTO n (v) VALUES (1), (2)"));

        // A statement that writes nothing says -1, not what the last write changed.
        Assert.Equal(-1, _writer.Execute("SELECT v FROM n"));
        Assert.Equal(0, _writer.Execute("UPDATE n SET v = 3 WHERE v = $p0", 99L));
        // A script counts every writing statement: 2 rows, then the 1 row that became 3.
        Assert.Equal(3, _writer.Execute("UPDATE n SET v = v + 1; UPDATE n SET v = v + 1 WHERE v = 3"));
    }

    public void Dispose()
    {
        _writer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
