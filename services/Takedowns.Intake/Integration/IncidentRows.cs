using Marten;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Integration;

/// <summary>
/// Stores the incident documents a forwarded page changed (<see cref="IncidentIndex"/> and <see cref="ReportIncident"/>)
/// with one upsert statement per document type, queued in the page's own unit of work, instead of one statement per
/// document. The rows are the ones Marten's own upsert writes, and Marten loads them as its own.
/// </summary>
public sealed class IncidentRows
{
    private static readonly Dictionary<string, string[]> ExpectedColumns = new()
    {
        ["mt_doc_incidentindex"] = DocumentColumns,
        ["mt_doc_reportincident"] = DocumentColumns,
    };

    private static string[] DocumentColumns => ["id", "data", "mt_last_modified", "mt_version", "mt_dotnet_type"];

    private readonly SemaphoreSlim _checkOnce = new(1, 1);
    private bool _checked;

    public async Task QueueAsync(IDocumentOperations operations, IReadOnlyCollection<IncidentIndex> indexes,
        IReadOnlyCollection<ReportIncident> links, CancellationToken ct)
    {
        var store = operations.DocumentStore;
        string schema = store.Options.DatabaseSchemaName;
        await CheckOnceAsync(store, schema, ct);
        var serializer = store.Options.Serializer();
        if (indexes.Count > 0)
            operations.QueueSqlCommand(UpsertSql(schema, "mt_doc_incidentindex", "varchar", typeof(IncidentIndex)),
                indexes.Select(i => i.Id).ToArray(), indexes.Select(i => serializer.ToJson(i)).ToArray());
        if (links.Count > 0)
            operations.QueueSqlCommand(UpsertSql(schema, "mt_doc_reportincident", "uuid", typeof(ReportIncident)),
                links.Select(l => l.Id).ToArray(), links.Select(l => serializer.ToJson(l)).ToArray());
    }

    private static string UpsertSql(string schema, string table, string idType, Type documentType) => $"""
        insert into {schema}.{table} (id, data, mt_version, mt_dotnet_type, mt_last_modified)
        select t.id, t.data::jsonb, md5(random()::text || clock_timestamp()::text)::uuid, '{documentType.FullName}', transaction_timestamp()
        from unnest(?::{idType}[], ?::text[]) as t(id, data)
        order by t.id
        on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version,
          mt_dotnet_type = excluded.mt_dotnet_type, mt_last_modified = excluded.mt_last_modified
        """;

    private async Task CheckOnceAsync(IDocumentStore store, string schema, CancellationToken ct)
    {
        if (_checked) return;
        await _checkOnce.WaitAsync(ct);
        try
        {
            if (!_checked) await MartenTables.CheckColumnsAsync(store, schema, ExpectedColumns, nameof(IncidentRows), ct);
            _checked = true;
        }
        finally
        {
            _checkOnce.Release();
        }
    }
}
