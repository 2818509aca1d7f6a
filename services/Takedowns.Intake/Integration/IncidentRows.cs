using Marten;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Integration;

/// <summary>
/// Stores the incident documents a forwarded page changed (<see cref="IncidentIndex"/> and <see cref="ReportIncident"/>)
/// with one upsert statement per document type, queued in the page's own unit of work (<see cref="DocumentRows{TDocument, TId}"/>).
/// </summary>
public sealed class IncidentRows
{
    private readonly DocumentRows<IncidentIndex, string> _indexes = new(i => i.Id);
    private readonly DocumentRows<ReportIncident, Guid> _links = new(l => l.Id);

    public async Task QueueAsync(IDocumentOperations operations, IReadOnlyCollection<IncidentIndex> indexes,
        IReadOnlyCollection<ReportIncident> links, CancellationToken ct)
    {
        await _indexes.QueueAsync(operations, indexes, ct);
        await _links.QueueAsync(operations, links, ct);
    }
}
