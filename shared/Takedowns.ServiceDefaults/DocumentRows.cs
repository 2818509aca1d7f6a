using Marten;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// Stores documents of one type with one upsert statement, queued in a unit of work, instead of Marten's statement per
/// document: a page of a busy subscription stores thousands at once. The rows are the ones Marten's own upsert writes
/// (a new version, the type's name, the transaction's time), and Marten loads them as its own. Before the first write
/// the table is checked to have exactly those columns, so a Marten upgrade that changes them stops the service loudly
/// instead of writing partial rows.
/// </summary>
public sealed class DocumentRows<TDocument, TId>(Func<TDocument, TId> idOf) where TId : notnull
{
    private static readonly string[] Columns = ["id", "data", "mt_last_modified", "mt_version", "mt_dotnet_type"];

    private readonly SemaphoreSlim _checkOnce = new(1, 1);
    private readonly Dictionary<string, string> _sql = []; // by table: one instance may serve stores of several schemas

    /// <summary>Queues the upsert of <paramref name="documents"/> (a document given twice is stored as last given).</summary>
    public async Task QueueAsync(IDocumentOperations operations, IReadOnlyCollection<TDocument> documents, CancellationToken ct)
    {
        if (documents.Count == 0) return;
        string sql = await SqlAsync(operations.DocumentStore, ct);
        var latest = new Dictionary<TId, TDocument>(documents.Count);
        foreach (var document in documents) latest[idOf(document)] = document;
        var serializer = operations.DocumentStore.Options.Serializer();
        operations.QueueSqlCommand(sql, latest.Keys.ToArray(), latest.Values.Select(d => serializer.ToJson(d)).ToArray());
    }

    private async Task<string> SqlAsync(IDocumentStore store, CancellationToken ct)
    {
        var table = store.Options.FindOrResolveDocumentType(typeof(TDocument)).TableName;
        await _checkOnce.WaitAsync(ct);
        try
        {
            if (_sql.TryGetValue(table.QualifiedName, out var sql)) return sql;
            await MartenTables.CheckColumnsAsync(store, table.Schema, new Dictionary<string, string[]> { [table.Name] = Columns },
                $"{nameof(DocumentRows<TDocument, TId>)}<{typeof(TDocument).Name}>", ct);
            string idType = typeof(TId) == typeof(Guid) ? "uuid" : typeof(TId) == typeof(string) ? "varchar"
                : throw new NotSupportedException($"Documents with {typeof(TId).Name} ids are not stored this way.");
            // In id order, so two units of work storing some of the same documents wait for each other instead of deadlocking.
            return _sql[table.QualifiedName] = $"""
                insert into {table.QualifiedName} (id, data, mt_version, mt_dotnet_type, mt_last_modified)
                select t.id, t.data::jsonb, md5(random()::text || clock_timestamp()::text)::uuid, '{typeof(TDocument).FullName!.Replace("'", "''")}', transaction_timestamp()
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
