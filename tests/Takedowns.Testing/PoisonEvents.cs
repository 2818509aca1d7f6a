using Marten;
using Npgsql;

namespace Takedowns.Testing;

/// <summary>
/// Events stored as raw rows, past Marten's checks, as a bug, an older version or a hand-edited database could have left
/// them: how tests put an event that a subscription or projection cannot process into a service's event store.
/// </summary>
public static class PoisonEvents
{
    /// <summary>Appends an event of <paramref name="eventType"/> with <paramref name="json"/> as its data, on a stream of its own; returns its sequence.</summary>
    public static Task<long> AppendAsync(IDocumentStore store, Type eventType, string json) =>
        AppendAsync(store.Options.Events.DatabaseSchemaName, JasperFx.Events.EventTypeExtensions.GetEventTypeName(eventType),
            $"{eventType.FullName}, {eventType.Assembly.GetName().Name}", json);

    /// <summary>The same in the event store of <paramref name="schema"/>, for a type named by its alias and .NET name (a service running as a process).</summary>
    public static async Task<long> AppendAsync(string schema, string alias, string dotnetType, string json)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var stream = Guid.NewGuid();
        await using (var insert = new NpgsqlCommand($"insert into \"{schema}\".mt_streams (id, version) values ($1, 1)", connection, transaction))
        {
            insert.Parameters.AddWithValue(stream);
            await insert.ExecuteNonQueryAsync();
        }
        long sequence;
        await using (var insert = new NpgsqlCommand(
                         $"insert into \"{schema}\".mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type) " +
                         $"values (nextval('\"{schema}\".mt_events_sequence'), $1, $2, 1, $3::jsonb, $4, now(), $5) returning seq_id", connection, transaction))
        {
            insert.Parameters.AddWithValue(Guid.NewGuid());
            insert.Parameters.AddWithValue(stream);
            insert.Parameters.AddWithValue(json);
            insert.Parameters.AddWithValue(alias);
            insert.Parameters.AddWithValue(dotnetType);
            sequence = Convert.ToInt64(await insert.ExecuteScalarAsync());
        }
        await transaction.CommitAsync();
        return sequence;
    }
}
