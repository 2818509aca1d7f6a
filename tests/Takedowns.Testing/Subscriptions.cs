using Npgsql;

namespace Takedowns.Testing;

/// <summary>
/// Where each of a service's Marten projections and subscriptions stands (its row in <c>mt_event_progression</c>)
/// against the last event stored, and whether Marten marked any of them as failing or dead-lettered an event.
/// </summary>
public sealed record SubscriptionProgress(long LastEvent, IReadOnlyList<SubscriptionProgress.Shard> Shards, long DeadLetters)
{
    public sealed record Shard(string Name, long LastSeqId, string? Status, string? Failure);

    /// <summary>Every shard has processed every event stored, none is paused or failing, and no event was set aside.</summary>
    public bool CaughtUp => Shards.Count > 0 && Shards.All(s => s.LastSeqId >= LastEvent && s.Failure is null && !Stopped(s.Status)) && DeadLetters == 0;

    public override string ToString() =>
        $"last event {LastEvent}, dead letters {DeadLetters}: " + string.Join(", ", Shards.Select(s => $"{s.Name} at {s.LastSeqId}{(s.Status is null ? "" : $" ({s.Status})")}{(s.Failure is null ? "" : $" failing: {s.Failure}")}"));

    private static bool Stopped(string? status) => status is not null && (status.Contains("pause", StringComparison.OrdinalIgnoreCase) || status.Contains("stop", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The progress of every shard of the event store in <paramref name="schema"/> (named "projection:shard"). Marten writes
    /// a shard's row only once it has made progress, so a shard that failed from its first page has none: name the shards
    /// that must exist in <paramref name="expected"/>, and those without a row are listed as standing at 0.
    /// </summary>
    public static async Task<SubscriptionProgress> ReadAsync(string schema, IReadOnlyCollection<string> expected)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.PostgresConnection);
        await connection.OpenAsync();
        long lastEvent = await ScalarAsync(connection, $"select coalesce(max(seq_id), 0) from \"{schema}\".mt_events");
        var columns = await ColumnsAsync(connection, schema, "mt_event_progression");
        string status = columns.Contains("agent_status") ? "agent_status" : "null";
        string failure = columns.Contains("failure_category")
            ? "nullif(concat_ws(' ', failure_category, pause_reason, failure_event_type, failure_event_sequence::text), '')"
            : columns.Contains("pause_reason") ? "pause_reason" : "null";
        var shards = new List<Shard>();
        await using (var command = new NpgsqlCommand(
                         $"select name, last_seq_id, {status}::text, {failure}::text from \"{schema}\".mt_event_progression where name like '%:%' order by name", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                shards.Add(new Shard(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        shards.AddRange(expected.Where(name => shards.All(s => s.Name != name)).Select(name => new Shard(name, 0, "no progress recorded", null)));
        long deadLetters = (await ColumnsAsync(connection, schema, "mt_doc_deadletterevent")).Count == 0 ? 0
            : await ScalarAsync(connection, $"select count(*) from \"{schema}\".mt_doc_deadletterevent");
        return new SubscriptionProgress(lastEvent, shards, deadLetters);
    }

    /// <summary>Waits until every shard has caught up with the events stored; fails naming the shards that have not.</summary>
    public static Task<SubscriptionProgress> WaitUntilCaughtUpAsync(string schema, IReadOnlyCollection<string> expected, TimeSpan? timeout = null) =>
        Eventually.Until(() => ReadAsync(schema, expected), p => p.CaughtUp, timeout ?? TimeSpan.FromSeconds(60), $"every projection and subscription of {schema} to catch up");

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task<HashSet<string>> ColumnsAsync(NpgsqlConnection connection, string schema, string table)
    {
        await using var command = new NpgsqlCommand(
            "select column_name from information_schema.columns where table_schema = @schema and table_name = @table", connection);
        command.Parameters.AddWithValue("schema", schema);
        command.Parameters.AddWithValue("table", table);
        var columns = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        return columns;
    }
}
