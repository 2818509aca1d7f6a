using Marten.Exceptions;
using Marten;
using MassTransit;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Series;

namespace Takedowns.Correlation.Integration;

/// <summary>Records each submitted report once; a redelivery finds its stream already there and changes nothing.</summary>
public sealed class ReportSubmittedConsumer(IDocumentSession session, ILogger<ReportSubmittedConsumer> logger) : IConsumer<ReportSubmitted>
{
    public async Task Consume(ConsumeContext<ReportSubmitted> context)
    {
        var m = context.Message;
        session.Events.StartStream(m.ReportId, new ReportObserved(
            m.ReportId, m.OrganisationId, m.Country, m.Platform, m.Category, m.SubjectType, m.Action, m.OccurredOn, m.ReportedAt));
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (ExistingStreamIdCollisionException)
        {
            logger.LogDebug("Report {ReportId} was already observed; redelivery ignored", m.ReportId);
        }
    }
}
