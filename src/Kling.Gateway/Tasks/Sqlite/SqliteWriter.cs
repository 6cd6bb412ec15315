using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Kling.Gateway.Tasks.Sqlite;

/// <summary>
/// The writer thread's connection (parameters <c>$p0</c>, <c>$p1</c>, ...). <see cref="Execute"/> and <see cref="Scalar"/>
/// prepare each statement once and run it through SQLite's own API, binding values in place: the provider's command
/// path allocates a reader, a statement iterator and an object per parameter on every run, about 5 KB per submit on the
/// thread every submit waits for. <see cref="Query{T}"/>, for the rarer reads that map rows, keeps the provider's reader.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly sqlite3 _database;
    private readonly Dictionary<string, Statement> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteWriter(SqliteConnection connection)
    {
        _connection = connection;
        _database = connection.Handle!;
        // The provider waits out another process's lock by polling up to its timeout (0: for ever); SQLite's own wait does the same.
        raw.sqlite3_busy_timeout(_database, connection.DefaultTimeout == 0 ? int.MaxValue : connection.DefaultTimeout * 1000);
    }

    /// <summary>
    /// Runs the statement (or, once, each statement of a script, which takes no parameters) to its end; as the provider
    /// counts them, the rows its writing statements changed, or -1 when none writes.
    /// </summary>
    public int Execute(string sql, params object?[] parameters)
    {
        if (Cached(sql, out var script, out var rest) is not { } prepared)
        {
            if (parameters.Length > 0)
            {
                script.Dispose();
                throw new ArgumentException("a script of several statements takes no parameters", nameof(parameters));
            }

            return RunScript(script, rest);
        }

        return Run(prepared, parameters, static (writer, statement) => writer.ToEnd(statement, -1));
    }

    /// <summary>The first column of the statement's first row, or null when it returns none.</summary>
    public object? Scalar(string sql, params object?[] parameters)
    {
        if (Cached(sql, out var script, out _) is not { } prepared)
        {
            script.Dispose();
            throw new ArgumentException("a scalar query must be one statement", nameof(sql));
        }

        return Run(prepared, parameters, static (writer, statement) => writer.Step(statement) ? Column(statement, 0) : null);
    }

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params object?[] parameters)
    {
        using var reader = Command(sql, parameters).ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public void Dispose()
    {
        foreach (var statement in _statements.Values)
        {
            statement.Handle.Dispose();
        }

        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    private SqliteCommand Command(string sql, object?[] parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.Command(sql, parameters);
            _commands[sql] = command;
            return command;
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters[i].Value = parameters[i] ?? DBNull.Value;
        }

        return command;
    }

    /// <summary>
    /// The statement prepared once for <paramref name="sql"/>; null when the text is not one statement, with what was
    /// prepared of it (<paramref name="script"/>, to run or dispose) and the text after that.
    /// </summary>
    private Statement? Cached(string sql, out sqlite3_stmt script, out string rest)
    {
        script = null!;
        rest = "";
        if (_statements.TryGetValue(sql, out var prepared))
        {
            return prepared;
        }

        var first = Prepare(sql, out rest);
        if (rest.Length > 0 || first.IsInvalid)
        {
            script = first;
            return null;
        }

        return _statements[sql] = new Statement(first);
    }

    /// <summary>Binds the values, lets <paramref name="read"/> step the statement, and resets it whatever happened.</summary>
    private T Run<T>(Statement prepared, object?[] parameters, Func<SqliteWriter, sqlite3_stmt, T> read)
    {
        try
        {
            prepared.Bind(parameters);
            return read(this, prepared.Handle);
        }
        finally
        {
            raw.sqlite3_reset(prepared.Handle);
        }
    }

    /// <summary>
    /// A script (the schema) runs once: each statement is prepared after the one before it has run. A text with no
    /// statement left (whitespace, a comment) prepares to none.
    /// </summary>
    private int RunScript(sqlite3_stmt first, string rest)
    {
        var changed = -1;
        var statement = first;
        while (true)
        {
            using (statement)
            {
                if (!statement.IsInvalid)
                {
                    changed = ToEnd(statement, changed);
                }
            }

            if (rest.Length == 0)
            {
                return changed;
            }

            statement = Prepare(rest, out rest);
        }
    }

    private sqlite3_stmt Prepare(string sql, out string rest)
    {
        var rc = raw.sqlite3_prepare_v2(_database, sql, out var statement, out rest);
        if (rc != raw.SQLITE_OK)
        {
            statement.Dispose();
            SqliteException.ThrowExceptionForRC(rc, _database);
        }

        rest = rest.Trim();
        return statement;
    }

    /// <summary>
    /// Steps the statement to its end; <paramref name="before"/> plus, as the provider counts them, the rows it changed
    /// if it writes (triggers' rows not included).
    /// </summary>
    private int ToEnd(sqlite3_stmt statement, int before)
    {
        while (Step(statement))
        {
            // Rows (a RETURNING clause, a pragma's answer) are not wanted.
        }

        return raw.sqlite3_stmt_readonly(statement) != 0 ? before : Math.Max(before, 0) + raw.sqlite3_changes(_database);
    }

    /// <summary>One step: true with a row to read, false once done; SQLite's error as the provider raises it.</summary>
    private bool Step(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        if (rc is raw.SQLITE_ROW or raw.SQLITE_DONE)
        {
            return rc == raw.SQLITE_ROW;
        }

        SqliteException.ThrowExceptionForRC(rc, _database);
        return false;
    }

    private static object? Column(sqlite3_stmt statement, int index) => raw.sqlite3_column_type(statement, index) switch
    {
        raw.SQLITE_INTEGER => raw.sqlite3_column_int64(statement, index),
        raw.SQLITE_FLOAT => raw.sqlite3_column_double(statement, index),
        raw.SQLITE_TEXT => raw.sqlite3_column_text(statement, index).utf8_to_string(),
        raw.SQLITE_BLOB => raw.sqlite3_column_blob(statement, index).ToArray(),
        _ => null,
    };

    /// <summary>A prepared statement and where each <c>$pN</c> sits in it (SQLite numbers parameters by first use).</summary>
    private sealed class Statement
    {
        private readonly int[] _slots;

        public Statement(sqlite3_stmt handle)
        {
            Handle = handle;
            var count = raw.sqlite3_bind_parameter_count(handle);
            var numbers = new int[count];
            for (var slot = 1; slot <= count; slot++)
            {
                var name = raw.sqlite3_bind_parameter_name(handle, slot).utf8_to_string();
                if (name is null || !name.StartsWith("$p", StringComparison.Ordinal)
                    || !int.TryParse(name.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out numbers[slot - 1]))
                {
                    handle.Dispose();
                    throw new ArgumentException($"statement parameters are named $p0, $p1, ...: not {name}");
                }
            }

            // Slot 0: a parameter number the statement does not use.
            _slots = new int[count == 0 ? 0 : numbers.Max() + 1];
            for (var slot = 1; slot <= count; slot++)
            {
                _slots[numbers[slot - 1]] = slot;
            }
        }

        public sqlite3_stmt Handle { get; }

        public void Bind(object?[] parameters)
        {
            if (parameters.Length < _slots.Length)
            {
                throw new ArgumentException($"the statement uses parameters up to $p{_slots.Length - 1}; {parameters.Length} were given");
            }

            for (var n = 0; n < _slots.Length; n++)
            {
                var slot = _slots[n];
                if (slot == 0)
                {
                    continue;
                }

                var rc = parameters[n] switch
                {
                    null or DBNull => raw.sqlite3_bind_null(Handle, slot),
                    string text => raw.sqlite3_bind_text16(Handle, slot, text),
                    long number => raw.sqlite3_bind_int64(Handle, slot, number),
                    int number => raw.sqlite3_bind_int64(Handle, slot, number),
                    bool flag => raw.sqlite3_bind_int64(Handle, slot, flag ? 1 : 0),
                    double real => raw.sqlite3_bind_double(Handle, slot, real),
                    byte[] blob => raw.sqlite3_bind_blob(Handle, slot, blob),
                    var other => throw new NotSupportedException($"no SQLite binding for {other.GetType().Name}"),
                };
                if (rc != raw.SQLITE_OK)
                {
                    SqliteException.ThrowExceptionForRC(rc, raw.sqlite3_db_handle(Handle));
                }
            }
        }
    }
}
