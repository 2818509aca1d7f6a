using Marten;
using JasperFx.Events;
using Npgsql;

namespace Takedowns.ServiceDefaults;

/// <summary>A stream to start: its events in order, the inline snapshot they make (if the aggregate keeps one), and the events' time (else the transaction's).</summary>
public sealed record NewStream(Guid Id, IReadOnlyList<object> Events, object? Snapshot = null, DateTimeOffset? At = null);

/// <summary>
/// Starts many streams of one aggregate type in one statement: the stream rows, their events and, where the aggregate
/// keeps an inline snapshot, the snapshot documents, written set-based instead of one Marten append function (and one
/// snapshot upsert) per stream, which is what limits a service taking pages of thousands of new reports. A stream that
/// already exists, even one committed meanwhile by another transaction, is left alone and left out of the result.
/// <para>
/// The rows are the ones Marten writes when it starts a stream (server timestamps, the inline snapshot's revision the
/// stream's version), and Marten reads them back as its own (tests compare both ways of writing). Before the first
/// write the tables are checked to have exactly the columns filled here, so a Marten upgrade that changes them stops
/// the service loudly instead of writing partial rows.
/// </para>
/// </summary>
/// <param name="snapshots">Whether the aggregate keeps an inline snapshot document (then every stream gives one).</param>
public sealed class NewStreams<TAggregate>(IDocumentStore store, bool snapshots) where TAggregate : class
{
    private readonly SemaphoreSlim _checkOnce = new(1, 1);
    private string? _sql;

    /// <summary>
    /// Writes the streams in <paramref name="transaction"/> (not committed here) and returns the ids of those it started.
    /// </summary>
    public async Task<HashSet<Guid>> StartAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NewStream> streams, CancellationToken ct)
    {
        var started = new HashSet<Guid>();
        if (streams.Count == 0) return started;
        string sql = await SqlAsync(ct);
        var events = (Marten.Events.EventGraph)((DocumentStore)store).Options.Events;
        var serializer = store.Options.Serializer();
        var rows = streams.SelectMany(s => s.Events.Select((e, i) => (Stream: s, Event: e, Version: i + 1))).ToList();
        var mappings = rows.Select(r => r.Event.GetType()).Distinct().ToDictionary(t => t, events.EventMappingFor);
        if (snapshots && streams.Any(s => s.Snapshot is not TAggregate))
            throw new ArgumentException($"Every new {typeof(TAggregate).Name} stream needs its snapshot.", nameof(streams));
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = streams.Select(s => s.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = streams.Select(s => (long)s.Events.Count).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(_ => Guid.CreateVersion7()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Stream.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (long)r.Version).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => serializer.ToJson(r.Event)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => mappings[r.Event.GetType()].EventTypeName).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => mappings[r.Event.GetType()].DotNetTypeName).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Stream.At?.ToUniversalTime()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = streams.Select(s => snapshots ? serializer.ToJson(s.Snapshot!) : "").ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) started.Add(reader.GetGuid(0));
        return started;
    }

    private async Task<string> SqlAsync(CancellationToken ct)
    {
        if (_sql is not null) return _sql;
        await _checkOnce.WaitAsync(ct);
        try
        {
            if (_sql is not null) return _sql;
            var options = ((DocumentStore)store).Options;
            var events = (Marten.Events.EventGraph)options.Events;
            string schema = events.DatabaseSchemaName;
            var expected = new Dictionary<string, string[]>
            {
                ["mt_streams"] = ["id", "type", "version", "timestamp", "created", "tenant_id", "compacted_version", "is_archived"],
                ["mt_events"] = ["seq_id", "id", "stream_id", "version", "data", "bdata", "type", "timestamp", "tenant_id", "mt_dotnet_type", "is_archived"],
            };
            string snapshotTable = "";
            if (snapshots)
            {
                snapshotTable = store.Options.FindOrResolveDocumentType(typeof(TAggregate)).TableName.Name;
                expected[snapshotTable] = ["id", "data", "mt_last_modified", "mt_dotnet_type", "mt_version"];
            }
            await MartenTables.CheckColumnsAsync(store, schema, expected, $"{nameof(NewStreams<TAggregate>)}<{typeof(TAggregate).Name}>", ct);
            string streamType = events.AggregateAliasFor(typeof(TAggregate));
            // Literals, not parameters: fixed names from Marten's own mapping, quoted. Streams are inserted in id order, so
            // two transactions holding some of the same ids wait for each other instead of deadlocking; events take their
            // sequence numbers in the order given, so a stream's events are read back in order.
            string snapshotInsert = snapshots
                ? $"""
                  ,
                  snapshots as (
                    insert into {schema}.{snapshotTable} (id, data, mt_version, mt_dotnet_type, mt_last_modified)
                    select i.id, i.doc::jsonb, i.version, {Literal(typeof(TAggregate).FullName!)}, transaction_timestamp()
                    from input i join streams s on s.id = i.id
                  )
                  """
                : "";
            return _sql = $"""
                with input as (
                  select * from unnest($1::uuid[], $2::bigint[], $10::text[]) as i(id, version, doc)
                ),
                streams as (
                  insert into {schema}.mt_streams (id, type, version, timestamp, created, tenant_id, is_archived)
                  select id, {Literal(streamType)}, version, now(), now(), '*DEFAULT*', false from input order by id
                  on conflict (id) do nothing
                  returning id
                ),
                appended as (
                  insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived)
                  select nextval('{schema}.mt_events_sequence'), e.id, e.stream_id, e.version, e.body::jsonb, e.type, '*DEFAULT*',
                         coalesce(e.at, now()), e.dotnet, false
                  from (
                    select e.* from unnest($3::uuid[], $4::uuid[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
                      with ordinality as e(id, stream_id, version, body, type, dotnet, at, n)
                    join streams s on s.id = e.stream_id
                    order by e.n
                  ) e
                ){snapshotInsert}
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

/// <summary>
/// A transaction in which new streams are started set-based (<see cref="NewStreams{TAggregate}"/>) beside whatever a
/// Marten session on the same transaction appends to existing streams; everything is committed together or not at all.
/// </summary>
public sealed class StreamsTransaction : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _streams;

    private StreamsTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, IDocumentSession session, string streams) =>
        (_connection, _transaction, Session, _streams) = (connection, transaction, session, streams);

    /// <summary>The session for reads and for appends to existing streams, on this transaction.</summary>
    public IDocumentSession Session { get; }

    public static async Task<StreamsTransaction> BeginAsync(IDocumentStore store, CancellationToken ct)
    {
        var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var transaction = await connection.BeginTransactionAsync(ct);
        return new StreamsTransaction(connection, transaction, store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction)),
            $"{store.Options.Events.DatabaseSchemaName}.mt_streams");
    }

    /// <summary>
    /// The streams of <paramref name="ids"/> that exist, fetched for writing (an append then checks that no other
    /// transaction wrote them meanwhile); the others are not in the result: they are new. One query finds which exist,
    /// so a run of thousands of new reports costs one statement here instead of a few per stream.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, IEventStream<TAggregate>>> FetchKnownForWritingAsync<TAggregate>(
        IReadOnlyCollection<Guid> ids, CancellationToken ct) where TAggregate : class
    {
        var known = new List<Guid>();
        await using (var command = new NpgsqlCommand($"select id from {_streams} where id = any($1)", _connection, _transaction)
                     { Parameters = { new() { Value = ids.ToArray() } } })
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) known.Add(reader.GetGuid(0));
        if (known.Count == 0) return new Dictionary<Guid, IEventStream<TAggregate>>();
        var streams = await Session.Events.FetchManyForWriting<TAggregate>(known, ct);
        return streams.ToDictionary(s => s.Id);
    }

    /// <summary>
    /// Starts every stream given, or fails with <see cref="StreamsStartedMeanwhileException"/> when another transaction
    /// started one of them first (what the caller read is then out of date; nothing is committed).
    /// </summary>
    public async Task StartAllAsync<TAggregate>(NewStreams<TAggregate> writer, IReadOnlyList<NewStream> streams, CancellationToken ct) where TAggregate : class
    {
        var started = await writer.StartAsync(_connection, _transaction, streams, ct);
        if (started.Count < streams.Count)
            throw new StreamsStartedMeanwhileException(typeof(TAggregate), streams.Count - started.Count);
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        await Session.SaveChangesAsync(ct);
        await _transaction.CommitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>Streams that were to be new had been started by another transaction meanwhile.</summary>
public sealed class StreamsStartedMeanwhileException(Type aggregate, int streams)
    : Exception($"{streams} {aggregate.Name} stream(s) to be started had been started by another transaction meanwhile.");
