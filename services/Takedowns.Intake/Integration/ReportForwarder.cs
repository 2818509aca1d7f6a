using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Takedowns.Contracts.Reports;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;

namespace Takedowns.Intake.Integration;

/// <summary>
/// The outbox: a Marten subscription that publishes the report events of each page as <see cref="ReportChanges"/>.
/// Progress is saved only after a page is published, so a crash or a broker outage delays a change, never loses it;
/// consumers apply each change idempotently (by the report's revision).
/// </summary>
public sealed class ReportForwarder(IBus bus, IncidentRows rows, Parked parked, ILogger<ReportForwarder> logger)
    : ParkingSubscription(SubscriptionName, parked, logger)
{
    public const string SubscriptionName = "report-forwarder";

    protected override async Task<IChangeListener> ProcessAsync(EventRange page, IDocumentOperations operations, bool trial, CancellationToken ct)
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
        var changedIndexes = new HashSet<string>(); // only these are written back

        var changes = new List<ReportChange>();
        var relinked = new HashSet<Guid>();
        foreach (var e in page.Events)
        {
            switch (e.Data)
            {
                case TakedownReported reported:
                {
                    string key = Incidents.KeyOf(reported.Report);
                    var incidentId = Incidents.Link(IndexOf(key), reported);
                    changedIndexes.Add(key);
                    links[reported.ReportId] = new ReportIncident(reported.ReportId, incidentId, key);
                    relinked.Add(reported.ReportId);
                    organisations[reported.ReportId] = reported.OrganisationId;
                    changes.Add(new ReportChange(e.Id, Submitted: ToContract(reported, incidentId)));
                    break;
                }
                case ReportAmended amended:
                {
                    string key = Incidents.KeyOf(amended.Report);
                    var link = links.GetValueOrDefault(amended.ReportId);
                    Guid organisationId = organisations[amended.ReportId];
                    if (link is null || !Incidents.StaysPut(IndexOf(link.Key), amended.ReportId, key, amended.Report))
                    {
                        if (link is not null)
                        {
                            Incidents.Unlink(IndexOf(link.Key), amended.ReportId);
                            changedIndexes.Add(link.Key);
                        }
                        var incidentId = Incidents.Link(IndexOf(key), amended.ReportId, organisationId, amended.Report, e.Version);
                        changedIndexes.Add(key);
                        link = links[amended.ReportId] = new ReportIncident(amended.ReportId, incidentId, key);
                        relinked.Add(amended.ReportId);
                    }
                    changes.Add(new ReportChange(e.Id, Revised: ToContract(amended, organisationId, link.IncidentId, e.Version)));
                    break;
                }
                case ReportRetracted retracted:
                    changes.Add(new ReportChange(e.Id, Withdrawn: new ReportWithdrawn(retracted.ReportId,
                        organisations.GetValueOrDefault(retracted.ReportId), links.GetValueOrDefault(retracted.ReportId)?.IncidentId, retracted.RetractedAt)));
                    break;
            }
        }
        await rows.QueueAsync(operations, changedIndexes.Select(k => indexes[k]).ToList(), relinked.Select(id => links[id]).ToList(), ct);
        if (trial) return NullChangeListener.Instance;
        // One message per chunk of the page, named after its first event: a page forwarded again publishes the same
        // changes, which consumers apply idempotently whatever the chunk boundaries.
        // Each chunk's span continues its first report's trace and links the others' (see Tracing).
        var traces = page.Events.Where(e => e.Data is TakedownReported { TraceParent: not null })
            .ToDictionary(e => e.Id, e => ((TakedownReported)e.Data).TraceParent);
        await Task.WhenAll(changes.Chunk(ReportChanges.MaxChanges).Select(async chunk =>
        {
            using var span = traces.Count == 0 ? null : Tracing.StartContinuing("forward report changes", chunk.Select(c => traces.GetValueOrDefault(c.EventId)));
            await bus.PublishIntegrationEvent(new ReportChanges(chunk), chunk[0].EventId, ct);
        }));
        return NullChangeListener.Instance;
    }

    public static ReportSubmitted ToContract(TakedownReported e, Guid incidentId)
    {
        var shared = SharedWithAnalysts(e.Report);
        return new(e.ReportId, e.OrganisationId, e.Report.Platform, e.Report.SubjectType, e.Report.Country, e.Report.Action,
            e.Report.Ground.Category, e.Report.OccurredOn, e.ReportedAt, (e.Report.Consent ?? Consent.Default).PublicStatistics, incidentId,
            shared?.ExternalId, shared?.OccurredAt, shared?.Notice, e.Channel == ReportChannel.Import);
    }

    public static ReportRevised ToContract(ReportAmended e, Guid organisationId, Guid incidentId, long revision)
    {
        var shared = SharedWithAnalysts(e.Report);
        return new(e.ReportId, organisationId, e.Report.Platform, e.Report.SubjectType, e.Report.Country, e.Report.Action,
            e.Report.Ground.Category, e.Report.OccurredOn, (e.Report.Consent ?? Consent.Default).PublicStatistics, incidentId,
            revision, e.AmendedAt, shared?.ExternalId, shared?.OccurredAt, shared?.Notice);
    }

    /// <summary>What the network's analysts may see of a report, or null when its organisation does not share it with them.</summary>
    private static (string? ExternalId, DateTimeOffset? OccurredAt, ReportNotice Notice)? SharedWithAnalysts(ReportDraft report)
    {
        if (!(report.Consent ?? Consent.Default).Network) return null;
        var g = report.Ground;
        string? domain = Uri.TryCreate(g.ClaimedOriginalUrl, UriKind.Absolute, out var url) ? url.IdnHost.ToLowerInvariant() : null;
        // Reports stored before times were normalised carry the reporter's offset in the time itself; messages carry UTC only.
        return (report.ExternalId, report.OccurredAt?.ToUniversalTime(), new ReportNotice(g.Policy, g.Claimant, g.NoticeText, domain));
    }
}
