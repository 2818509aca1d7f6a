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
        // finds its reports already linked and links them the same way. Everything the page needs is read up front.
        var changed = page.Events.Select(e => e.Data switch
        {
            ReportAmended a => a.ReportId,
            ReportRetracted r => r.ReportId,
            _ => Guid.Empty,
        }).Where(id => id != Guid.Empty).Distinct().ToArray();
        var links = changed.Length == 0 ? new Dictionary<Guid, ReportIncident>()
            : (await operations.LoadManyAsync<ReportIncident>(ct, changed)).ToDictionary(l => l.Id);
        var organisations = changed.Length == 0 ? new Dictionary<Guid, Guid>()
            : (await operations.LoadManyAsync<Report>(ct, changed)).ToDictionary(r => r.Id, r => r.OrganisationId);
        var keys = page.Events.Select(e => e.Data switch
            {
                TakedownReported r => Incidents.KeyOf(r.Report),
                ReportAmended a => Incidents.KeyOf(a.Report),
                _ => null,
            })
            .Concat(links.Values.Select(l => l.Key))
            .OfType<string>().Distinct().ToArray();
        var indexes = keys.Length == 0 ? new Dictionary<string, IncidentIndex>()
            : (await operations.LoadManyAsync<IncidentIndex>(ct, keys)).ToDictionary(i => i.Id);
        IncidentIndex IndexOf(string key) => indexes.TryGetValue(key, out var index) ? index : indexes[key] = new IncidentIndex { Id = key };

        var messages = new List<(object Message, Guid Id)>();
        foreach (var e in page.Events)
        {
            switch (e.Data)
            {
                case TakedownReported reported:
                {
                    string key = Incidents.KeyOf(reported.Report);
                    var incidentId = Incidents.Link(IndexOf(key), reported);
                    operations.Store(links[reported.ReportId] = new ReportIncident(reported.ReportId, incidentId, key));
                    organisations[reported.ReportId] = reported.OrganisationId;
                    messages.Add((ToContract(reported, incidentId), e.Id));
                    break;
                }
                case ReportAmended amended:
                {
                    string key = Incidents.KeyOf(amended.Report);
                    var link = links.GetValueOrDefault(amended.ReportId);
                    Guid organisationId = organisations[amended.ReportId];
                    if (link is null || !Incidents.StaysPut(IndexOf(link.Key), amended.ReportId, key, amended.Report))
                    {
                        if (link is not null) Incidents.Unlink(IndexOf(link.Key), amended.ReportId);
                        var incidentId = Incidents.Link(IndexOf(key), amended.ReportId, organisationId, amended.Report, e.Version);
                        operations.Store(link = links[amended.ReportId] = new ReportIncident(amended.ReportId, incidentId, key));
                    }
                    messages.Add((ToContract(amended, organisationId, link.IncidentId, e.Version), e.Id));
                    break;
                }
                case ReportRetracted retracted:
                    messages.Add((new ReportWithdrawn(retracted.ReportId, organisations.GetValueOrDefault(retracted.ReportId),
                        links.GetValueOrDefault(retracted.ReportId)?.IncidentId, retracted.RetractedAt), e.Id));
                    break;
            }
        }
        foreach (var index in indexes.Values) operations.Store(index);
        await Task.WhenAll(messages.Select(m => m.Message switch
        {
            ReportSubmitted submitted => bus.PublishIntegrationEvent(submitted, m.Id, ct),
            ReportRevised revised => bus.PublishIntegrationEvent(revised, m.Id, ct),
            ReportWithdrawn withdrawn => bus.PublishIntegrationEvent(withdrawn, m.Id, ct),
            _ => throw new InvalidOperationException($"No integration event for {m.Message.GetType().Name}."),
        }));
        return NullChangeListener.Instance;
    }

    public static ReportSubmitted ToContract(TakedownReported e, Guid incidentId) => new(
        e.ReportId, e.OrganisationId, e.Report.Platform, e.Report.SubjectType, e.Report.Country, e.Report.Action,
        e.Report.Ground.Category, e.Report.OccurredOn, e.ReportedAt, (e.Report.Consent ?? Consent.Default).PublicStatistics, incidentId);

    public static ReportRevised ToContract(ReportAmended e, Guid organisationId, Guid incidentId, long revision) => new(
        e.ReportId, organisationId, e.Report.Platform, e.Report.SubjectType, e.Report.Country, e.Report.Action,
        e.Report.Ground.Category, e.Report.OccurredOn, (e.Report.Consent ?? Consent.Default).PublicStatistics, incidentId,
        revision, e.AmendedAt);
}
