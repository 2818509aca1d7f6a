using Marten;
using MassTransit;
using Takedowns.Contracts.Reports;
using Takedowns.Publishing.Patterns;
using Takedowns.ServiceDefaults;

namespace Takedowns.Publishing.Integration;

/// <summary>
/// Keeps each incident's standing reports and counts the incident while one stands, if its reporter consented to
/// public statistics. A message seen before changes nothing; a concurrent change to the same incident fails the
/// optimistic check and is retried.
/// </summary>
public sealed class ReportSubmittedConsumer(IDocumentSession session, ILogger<ReportSubmittedConsumer> logger)
    : IConsumer<ReportSubmitted>, IConsumer<ReportWithdrawn>
{
    public async Task Consume(ConsumeContext<ReportSubmitted> context)
    {
        var m = context.Message;
        if (!m.PublicStatistics)
        {
            logger.LogDebug("Report {ReportId} is not consented for public statistics; not counted", m.ReportId);
            return;
        }
        var incidentId = m.IncidentId ?? NameBasedGuid.IncidentOf(m.ReportId);
        var stream = await session.Events.FetchForWriting<PublicIncident>(incidentId, context.CancellationToken);
        var events = PublicIncidentDecisions.Add(stream.Aggregate,
            new IncidentReportAdded(incidentId, m.ReportId, m.OccurredOn, m.Country, m.Platform, m.Category));
        if (events.Length == 0) return;
        stream.AppendMany(events);
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<ReportWithdrawn> context)
    {
        var m = context.Message;
        var incidentId = m.IncidentId ?? NameBasedGuid.IncidentOf(m.ReportId);
        var stream = await session.Events.FetchForWriting<PublicIncident>(incidentId, context.CancellationToken);
        var events = PublicIncidentDecisions.Withdraw(incidentId, stream.Aggregate, m.ReportId);
        if (events.Length == 0) return;
        stream.AppendMany(events);
        await session.SaveChangesAsync(context.CancellationToken);
    }
}
