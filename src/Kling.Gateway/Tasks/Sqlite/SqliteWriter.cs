using Microsoft.Data.Sqlite;

namespace Kling.Gateway.Tasks.Sqlite;

/// <summary>The writer thread's connection: each statement is prepared once and reused (parameters <c>$p0</c>, <c>$p1</c>, ...).</summary>
internal sealed class SqliteWriter(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);

    public int Execute(string sql, params object?[] parameters) => Prepared(sql, parameters).ExecuteNonQuery();

    public object? Scalar(string sql, params object?[] parameters) => Prepared(sql, parameters).ExecuteScalar();

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params object?[] parameters)
    {
        using var reader = Prepared(sql, parameters).ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public void Dispose()
    {
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }

        connection.Dispose();
    }

    private SqliteCommand Prepared(string sql, object?[] parameters)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = connection.Command(sql, parameters);
            _prepared[sql] = command;
            return command;
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters[i].Value = parameters[i] ?? DBNull.Value;
        }

        return command;
    }
}
