using Marten;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// Stores documents of one type with one upsert statement, queued in a unit of work, instead of Marten's statement per
/// document: the hot paths write thousands a page. The rows are the ones Marten's own upsert writes (a new version, the
/// type's name, the transaction's time), and Marten loads them as its own. Before the first write the table is checked
/// to have exactly the columns filled here (<see cref="MartenTables"/>).
/// </summary>
/// <param name="idOf">The document's id (a <see cref="Guid"/> or a <see cref="string"/>, as Marten keys it).</param>
public sealed class DocumentRows<TDocument, TId>(Func<TDocument, TId> idOf) where TDocument : class where TId : notnull
{
    private static readonly string[] Columns = ["id", "data", "mt_last_modified", "mt_version", "mt_dotnet_type"];
    private readonly SemaphoreSlim _checkOnce = new(1, 1);
    private string? _sql;

    /// <summary>
    /// Queues the upsert of <paramref name="documents"/> in <paramref name="operations"/>; nothing when there are none. Of
    /// documents given twice the last is stored, as successive stores through Marten would leave it (one statement may not
    /// change a row twice, which would otherwise fail the unit of work on every retry).
    /// </summary>
    public async Task QueueAsync(IDocumentOperations operations, IReadOnlyCollection<TDocument> documents, CancellationToken ct)
    {
        if (documents.Count == 0) return;
        string sql = await SqlAsync(operations.DocumentStore, ct);
        var serializer = operations.DocumentStore.Options.Serializer();
        var last = new Dictionary<TId, TDocument>(documents.Count);
        foreach (var document in documents) last[idOf(document)] = document;
        operations.QueueSqlCommand(sql, last.Keys.ToArray(), last.Values.Select(d => serializer.ToJson(d)).ToArray());
    }

    private async Task<string> SqlAsync(IDocumentStore store, CancellationToken ct)
    {
        if (_sql is not null) return _sql;
        await _checkOnce.WaitAsync(ct);
        try
        {
            if (_sql is not null) return _sql;
            string schema = store.Options.DatabaseSchemaName;
            string table = store.Options.FindOrResolveDocumentType(typeof(TDocument)).TableName.Name;
            string writer = $"{nameof(DocumentRows<TDocument, TId>)}<{typeof(TDocument).Name}>";
            await MartenTables.CheckColumnsAsync(store, schema, new Dictionary<string, string[]> { [table] = Columns }, writer, ct);
            string idType = typeof(TId) == typeof(Guid) ? "uuid"
                : typeof(TId) == typeof(string) ? "varchar"
                : throw new NotSupportedException($"{writer}: ids of type {typeof(TId).Name} are not written here.");
            // Rows in id order, so two transactions writing some of the same documents wait for each other instead of deadlocking.
            return _sql = $"""
                insert into {schema}.{table} (id, data, mt_version, mt_dotnet_type, mt_last_modified)
                select t.id, t.data::jsonb, md5(random()::text || clock_timestamp()::text)::uuid, '{typeof(TDocument).FullName}', transaction_timestamp()
                from unnest(?::{idType}[], ?::text[]) as t(id, data)
                order by t.id
                on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version,
                  mt_dotnet_type = excluded.mt_dotnet_type, mt_last_modified = excluded.mt_last_modified
                """;
        }
        finally
        {
            _checkOnce.Release();
        }
    }
}
