using Microsoft.Data.Sqlite;

namespace Kling.Gateway.Tasks.Sqlite;

internal static class SqliteCommands
{
    /// <summary>A command with its parameters, named <c>$p0</c>, <c>$p1</c>, ... in order.</summary>
    public static SqliteCommand Command(this SqliteConnection connection, string sql, params object?[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue("$p" + i, parameters[i] ?? DBNull.Value);
        }

        return command;
    }
}
