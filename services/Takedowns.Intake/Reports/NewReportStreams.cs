using Marten;
using Npgsql;

namespace Takedowns.Intake.Reports;

/// <summary>
/// Starts many report streams in one statement: for each new report, the stream row, its first event and its
/// <see cref="Report"/> snapshot, written set-based instead of one Marten append function and one snapshot insert per
/// report (those per-report calls were what limited intake under load). A stream that already exists, a replayed key,
/// even one committed meanwhile by another process, is left alone and left out of the result, so a replay stores
/// nothing and needs no rollback.
/// <para>
/// The rows are the ones Marten writes for <c>StartStream</c> with the inline snapshot, and Marten reads them back as
/// its own (tests compare both ways of writing). Before the first write, the three tables are checked to have exactly
/// the columns filled here, so a Marten upgrade that changes them stops intake loudly instead of writing partial rows.
/// </para>
/// </summary>
public sealed class NewReportStreams(IDocumentStore store)
{
    private readonly SemaphoreSlim _checkOnce = new(1, 1);
    private string? _sql;

    private static readonly Dictionary<string, string[]> ExpectedColumns = new()
    {
        ["mt_streams"] = ["id", "type", "version", "timestamp", "created", "tenant_id", "compacted_version", "is_archived"],
        ["mt_events"] = ["seq_id", "id", "stream_id", "version", "data", "bdata", "type", "timestamp", "tenant_id", "mt_dotnet_type", "is_archived"],
        ["mt_doc_report"] = ["id", "data", "mt_last_modified", "mt_dotnet_type", "mt_version"],
    };

    /// <summary>
    /// Writes the new streams and, in the same transaction, whatever <paramref name="alongside"/> stores for the
    /// streams that were started (and only those); commits; returns the ids of the started streams.
    /// </summary>
    public async Task<HashSet<Guid>> WriteAsync(
        IReadOnlyList<TakedownReported> events, Action<IDocumentSession, IReadOnlySet<Guid>> alongside, CancellationToken ct)
    {
        string sql = await SqlAsync(ct);
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var started = new HashSet<Guid>();
        if (events.Count > 0)
        {
            var serializer = store.Options.Serializer();
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.ReportId).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = events.Select(_ => Guid.CreateVersion7()).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => serializer.ToJson(e)).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => serializer.ToJson(Report.Create(e))).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.ReportedAt).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) started.Add(reader.GetGuid(0));
        }
        await using (var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction)))
        {
            alongside(session, started);
            await session.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return started;
    }

    private async Task<string> SqlAsync(CancellationToken ct)
    {
        if (_sql is not null) return _sql;
        await _checkOnce.WaitAsync(ct);
        try
        {
            if (_sql is not null) return _sql;
            var events = (Marten.Events.EventGraph)((DocumentStore)store).Options.Events;
            string schema = events.DatabaseSchemaName;
            await MartenTables.CheckColumnsAsync(store, schema, ExpectedColumns, nameof(NewReportStreams), ct);
            var mapping = events.EventMappingFor(typeof(TakedownReported));
            string streamType = events.AggregateAliasFor(typeof(Report));
            // Literals, not parameters: they are fixed names from Marten's own mapping, quoted below. Streams are inserted
            // in id order, so two batches holding some of the same ids (concurrent replays) wait for each other instead
            // of deadlocking.
            return _sql = $"""
                with input as (
                  select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[])
                    with ordinality as i(stream_id, event_id, body, doc, at, n)
                ),
                streams as (
                  insert into {schema}.mt_streams (id, type, version, timestamp, created, tenant_id, is_archived)
                  select stream_id, {Literal(streamType)}, 1, now(), now(), '*DEFAULT*', false from input order by stream_id
                  on conflict (id) do nothing
                  returning id
                ),
                appended as (
                  insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived)
                  select nextval('{schema}.mt_events_sequence'), i.event_id, i.stream_id, 1, i.body::jsonb,
                         {Literal(mapping.EventTypeName)}, '*DEFAULT*', i.at, {Literal(mapping.DotNetTypeName)}, false
                  from input i join streams s on s.id = i.stream_id
                ),
                snapshots as (
                  insert into {schema}.mt_doc_report (id, data, mt_version, mt_dotnet_type, mt_last_modified)
                  select i.stream_id, i.doc::jsonb, 1, {Literal(typeof(Report).FullName!)}, transaction_timestamp()
                  from input i join streams s on s.id = i.stream_id
                )
                select id from streams
                """;
        }
        finally
        {
            _checkOnce.Release();
        }
    }

    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
}
