using Marten.Exceptions;
using Marten;
using MassTransit;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Integration;

/// <summary>Records each submitted report once, and each incident once; a redelivery finds its stream already there and changes nothing.</summary>
public sealed class ReportSubmittedConsumer(IDocumentSession session, ILogger<ReportSubmittedConsumer> logger) : IConsumer<ReportSubmitted>
{
    public async Task Consume(ConsumeContext<ReportSubmitted> context)
    {
        var m = context.Message;
        var incidentId = m.IncidentId ?? NameBasedGuid.IncidentOf(m.ReportId);
        session.Events.StartStream(m.ReportId, new ReportObserved(
            m.ReportId, m.OrganisationId, m.Country, m.Platform, m.Category, m.SubjectType, m.Action, m.OccurredOn, m.ReportedAt, incidentId));
        bool newIncident = await session.Events.FetchStreamStateAsync(incidentId, context.CancellationToken) is null;
        if (newIncident)
            session.Events.StartStream(incidentId, new IncidentObserved(
                incidentId, m.ReportId, m.Country, m.Platform, m.Category, m.SubjectType, m.Action, m.OccurredOn));
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (ExistingStreamIdCollisionException e) when (Equals(e.Id, m.ReportId))
        {
            logger.LogDebug("Report {ReportId} was already observed; redelivery ignored", m.ReportId);
        }
        // A collision on the incident's stream (another report of it, at the same moment) fails this delivery;
        // the retry finds the incident there and records only the report.
    }
}
