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
        // Incidents are linked here, in event order, and stored with this page's progress: a page processed again
        // finds its reports already linked and links them the same way.
        // The indexes of the whole page in one query: one round trip per page, not per report.
        var keys = page.Events.Select(e => e.Data).OfType<TakedownReported>().Select(r => Incidents.KeyOf(r.Report)).Distinct().ToArray();
        var indexes = keys.Length == 0 ? new Dictionary<string, IncidentIndex>()
            : (await operations.LoadManyAsync<IncidentIndex>(ct, keys)).ToDictionary(i => i.Id);
        var linked = new Dictionary<Guid, Guid>();
        var messages = new List<(object Message, Guid Id)>();
        foreach (var e in page.Events)
        {
            switch (e.Data)
            {
                case TakedownReported reported:
                    string key = Incidents.KeyOf(reported.Report);
                    if (!indexes.TryGetValue(key, out var index)) indexes[key] = index = new IncidentIndex { Id = key };
                    var incidentId = Incidents.Link(index, reported);
                    linked[reported.ReportId] = incidentId;
                    operations.Store(new ReportIncident(reported.ReportId, incidentId, key));
                    messages.Add((ToContract(reported, incidentId), e.Id));
                    break;
                case ReportRetracted retracted:
                    Guid? incident = linked.TryGetValue(retracted.ReportId, out var id) ? id
                        : (await operations.LoadAsync<ReportIncident>(retracted.ReportId, ct))?.IncidentId;
                    var report = await operations.LoadAsync<Report>(retracted.ReportId, ct);
                    messages.Add((new ReportWithdrawn(retracted.ReportId, report?.OrganisationId ?? Guid.Empty, incident, retracted.RetractedAt), e.Id));
                    break;
            }
        }
        foreach (var index in indexes.Values) operations.Store(index);
        await Task.WhenAll(messages.Select(m => m.Message switch
        {
            ReportSubmitted submitted => bus.PublishIntegrationEvent(submitted, m.Id, ct),
            ReportWithdrawn withdrawn => bus.PublishIntegrationEvent(withdrawn, m.Id, ct),
            _ => Task.CompletedTask,
        }));
        return NullChangeListener.Instance;
    }

    public static ReportSubmitted ToContract(TakedownReported e, Guid incidentId) => new(
        e.ReportId, e.OrganisationId, e.Report.Platform, e.Report.SubjectType, e.Report.Country, e.Report.Action,
        e.Report.Ground.Category, e.Report.OccurredOn, e.ReportedAt, (e.Report.Consent ?? Consent.Default).PublicStatistics, incidentId);
}
