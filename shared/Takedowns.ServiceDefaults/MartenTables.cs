using Marten;
using Npgsql;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// Where Intake writes Marten's tables with its own set-based statements (the hot paths), it first checks that each
/// table has exactly the columns it fills, so that a Marten upgrade that changes a layout stops the service loudly
/// instead of leaving columns unwritten.
/// </summary>
public static class MartenTables
{
    public static async Task CheckColumnsAsync(
        IDocumentStore store, string schema, IReadOnlyDictionary<string, string[]> expected, string writer, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "select table_name, column_name from information_schema.columns where table_schema = $1 and table_name = any($2)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        command.Parameters.Add(new NpgsqlParameter { Value = expected.Keys.ToArray() });
        var actual = expected.Keys.ToDictionary(t => t, _ => new HashSet<string>());
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) actual[reader.GetString(0)].Add(reader.GetString(1));
        foreach (var (table, columns) in expected)
        {
            if (actual[table].SetEquals(columns)) continue;
            throw new InvalidOperationException(
                $"{schema}.{table} has columns [{string.Join(", ", actual[table].Order())}] where {writer} writes " +
                $"[{string.Join(", ", columns.Order())}]; the event store's layout changed and {writer} must follow it.");
        }
    }
}
