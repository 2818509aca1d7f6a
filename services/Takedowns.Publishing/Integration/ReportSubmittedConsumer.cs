using Marten.Exceptions;
using Marten;
using MassTransit;
using Takedowns.Contracts.Reports;
using Takedowns.Publishing.Patterns;
using Takedowns.ServiceDefaults;

namespace Takedowns.Publishing.Integration;

/// <summary>Counts each incident once, if its reporter consented to public statistics; a redelivery finds its stream already there and changes nothing.</summary>
public sealed class ReportSubmittedConsumer(IDocumentSession session, ILogger<ReportSubmittedConsumer> logger) : IConsumer<ReportSubmitted>
{
    public async Task Consume(ConsumeContext<ReportSubmitted> context)
    {
        var m = context.Message;
        if (!m.PublicStatistics)
        {
            logger.LogDebug("Report {ReportId} is not consented for public statistics; not counted", m.ReportId);
            return;
        }
        // One stream per incident: the same takedown reported by several organisations is counted once.
        session.Events.StartStream(m.IncidentId ?? NameBasedGuid.IncidentOf(m.ReportId), new ReportCounted(m.ReportId, m.OccurredOn, m.Country, m.Platform, m.Category));
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (ExistingStreamIdCollisionException)
        {
            logger.LogDebug("Report {ReportId}'s incident was already counted; not counted again", m.ReportId);
        }
    }
}
