using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Takedowns.Contracts.Reports;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Integration;

/// <summary>
/// The outbox: a Marten subscription that publishes integration events for new report events. Progress is saved
/// only after a page is published, so a crash or a broker outage delays a message, never loses it; consumers
/// deduplicate by message id, which is the id of the event.
/// </summary>
public sealed class ReportForwarder(IBus bus) : SubscriptionBase
{
    public const string SubscriptionName = "report-forwarder";

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        await Task.WhenAll(page.Events.Select(e => e.Data switch
        {
            TakedownReported r => bus.PublishIntegrationEvent(ToContract(r), e.Id, ct),
            _ => Task.CompletedTask,
        }));
        return NullChangeListener.Instance;
    }

    public static ReportSubmitted ToContract(TakedownReported e) => new(
        e.ReportId, e.OrganisationId, e.Report.Platform, e.Report.SubjectType, e.Report.Country, e.Report.Action,
        e.Report.Ground.Category, e.Report.OccurredOn, e.ReportedAt, (e.Report.Consent ?? Consent.Default).PublicStatistics);
}
