using Marten;
using Marten.Exceptions;
using MassTransit;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Integration;

/// <summary>
/// Records each report once (a stream per report) and counts each incident while one of its reports stands (a stream
/// per incident). A redelivery changes nothing; a concurrent change to the same incident fails its optimistic check
/// and is retried.
/// </summary>
public sealed class ReportSubmittedConsumer(IDocumentSession session, IDocumentStore store, ILogger<ReportSubmittedConsumer> logger)
    : IConsumer<ReportSubmitted>, IConsumer<ReportWithdrawn>
{
    public async Task Consume(ConsumeContext<ReportSubmitted> context)
    {
        var m = context.Message;
        var incidentId = m.IncidentId ?? NameBasedGuid.IncidentOf(m.ReportId);
        session.Events.StartStream(m.ReportId, new ReportObserved(
            m.ReportId, m.OrganisationId, m.Country, m.Platform, m.Category, m.SubjectType, m.Action, m.OccurredOn, m.ReportedAt, incidentId));
        var incident = await session.Events.FetchForWriting<ObservedIncident>(incidentId, context.CancellationToken);
        incident.AppendMany(ObservedIncidentDecisions.Link(incident.Aggregate,
            new IncidentObserved(incidentId, m.ReportId, m.Country, m.Platform, m.Category, m.SubjectType, m.Action, m.OccurredOn), m.ReportId));
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (ExistingStreamIdCollisionException)
        {
            // Either this report was observed before (a redelivery: nothing to do), or another report of the same
            // incident was linked at the same moment (retry). The exception does not reliably say which stream it was.
            await using var query = store.QuerySession();
            if (await query.Events.FetchStreamStateAsync(m.ReportId, context.CancellationToken) is null) throw;
            logger.LogDebug("Report {ReportId} was already observed; redelivery ignored", m.ReportId);
        }
    }

    public async Task Consume(ConsumeContext<ReportWithdrawn> context)
    {
        var m = context.Message;
        var incidentId = m.IncidentId ?? NameBasedGuid.IncidentOf(m.ReportId);
        var incident = await session.Events.FetchForWriting<ObservedIncident>(incidentId, context.CancellationToken);
        var events = ObservedIncidentDecisions.Withdraw(incidentId, incident.Aggregate, m.ReportId);
        if (events.Length == 0) return;
        incident.AppendMany(events);
        await session.SaveChangesAsync(context.CancellationToken);
    }
}
