using Marten.Exceptions;
using Marten;
using MassTransit;
using Takedowns.Contracts.Reports;
using Takedowns.Publishing.Patterns;

namespace Takedowns.Publishing.Integration;

/// <summary>Counts each submitted report once; a redelivery finds its stream already there and changes nothing.</summary>
public sealed class ReportSubmittedConsumer(IDocumentSession session, ILogger<ReportSubmittedConsumer> logger) : IConsumer<ReportSubmitted>
{
    public async Task Consume(ConsumeContext<ReportSubmitted> context)
    {
        var m = context.Message;
        session.Events.StartStream(m.ReportId, new ReportCounted(m.ReportId, m.OccurredOn, m.Country, m.Platform, m.Category));
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (ExistingStreamIdCollisionException)
        {
            logger.LogDebug("Report {ReportId} was already counted; redelivery ignored", m.ReportId);
        }
    }
}
