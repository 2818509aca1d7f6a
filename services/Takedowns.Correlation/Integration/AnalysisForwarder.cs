using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Campaigns;
using Takedowns.Correlation.Spikes;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;
using CampaignReportSplitOff = Takedowns.Correlation.Campaigns.CampaignReportSplitOff;
using Contract = Takedowns.Contracts.Analysis;

namespace Takedowns.Correlation.Integration;

/// <summary>
/// The outbox of Correlation: a Marten subscription that publishes what analysis found (spikes, campaigns) as integration
/// events, with the id of the Correlation event each came from. Progress is saved only after a page is published, so a
/// broker outage delays an event and never loses it; consumers deduplicate by message id.
/// </summary>
public sealed class AnalysisForwarder(IBus bus, Parked parked, ILogger<AnalysisForwarder> logger)
    : ParkingSubscription(SubscriptionName, parked, logger)
{
    public const string SubscriptionName = "analysis-forwarder";

    public static readonly Type[] EventTypes =
    [
        typeof(SpikeRaised), typeof(SpikeReinstated), typeof(SpikeClosed), typeof(CampaignRaised), typeof(CampaignConfirmedByAnalyst), typeof(CampaignDismissedByAnalyst),
        typeof(CampaignAbsorbed), typeof(CampaignReportSplitOff), typeof(CampaignReportLinked),
    ];

    protected override async Task<IChangeListener> ProcessAsync(EventRange page, IDocumentOperations operations, bool trial, CancellationToken ct)
    {
        var closedIds = page.Events.Select(e => e.Data switch { SpikeClosed c => c.SpikeId, SpikeReinstated r => r.SpikeId, _ => Guid.Empty })
            .Where(id => id != Guid.Empty).Distinct().ToArray();
        var spikes = closedIds.Length == 0 ? new Dictionary<Guid, Spike>()
            : (await operations.LoadManyAsync<Spike>(ct, closedIds)).ToDictionary(s => s.Id);
        // Confirmations, merges and splits name the campaign's reports as they stood at that event (the stream folded up to it).
        var campaigns = new Dictionary<Guid, Campaign>();
        // Reports linked one by one to a campaign make one message per campaign and page: from the last of them.
        var lastLinked = page.Events.Where(e => e.Data is CampaignReportLinked).GroupBy(e => e.StreamId).Select(g => g.Last().Id).ToHashSet();
        foreach (var e in page.Events.Where(e => e.Data is CampaignConfirmedByAnalyst or CampaignAbsorbed or CampaignReportSplitOff || lastLinked.Contains(e.Id)))
            if (await operations.Events.AggregateStreamAsync<Campaign>(e.StreamId, e.Version, token: ct) is { } c) campaigns[e.Id] = c;
        Membership Of(IEvent e) => campaigns.TryGetValue(e.Id, out var c) ? Membership.Of(c, e.Version) : Membership.None(e.Version);
        // The civic periods each campaign message names, from the calendar as it is now.
        var periods = new Dictionary<Guid, IReadOnlyList<CivicPeriodRef>>();
        foreach (var e in page.Events)
        {
            var (countries, first, last) = e.Data switch
            {
                CampaignRaised r => (r.Members.Select(m => m.Country).ToList(), r.Members.Min(m => m.OccurredAt), r.Members.Max(m => m.OccurredAt)),
                CampaignConfirmedByAnalyst or CampaignAbsorbed or CampaignReportSplitOff or CampaignReportLinked when Of(e) is { FirstSeen: { } f, LastSeen: { } l } m =>
                    ((IReadOnlyList<string>)m.Countries, (DateTimeOffset?)f, (DateTimeOffset?)l),
                _ => ((IReadOnlyList<string>)[], null, null),
            };
            if (first is { } from && last is { } to) periods[e.Id] = await CampaignEndpoints.CivicPeriodsAsync(operations, countries, from, to, ct);
        }
        IReadOnlyList<CivicPeriodRef> PeriodsOf(IEvent e) => periods.TryGetValue(e.Id, out var p) ? p : [];
        // In order: a spike's end must not overtake its detection, nor a campaign's confirmation its suspicion.
        foreach (var e in page.Events)
        {
            object? message = e.Data switch
            {
                SpikeRaised r => new SpikeDetected(r.SpikeId, r.Slice, r.Start, r.End, r.Observed, r.Expected,
                    -Math.Log10(Math.Max(r.PValue, 1e-300)), r.PValue, r.Method, r.CivicPeriods, r.RaisedAt, r.Cells ?? []),
                SpikeReinstated r when spikes.TryGetValue(r.SpikeId, out var s) => new SpikeDetected(r.SpikeId, s.Slice, s.Start,
                    r.End, r.Observed, r.Expected, -Math.Log10(Math.Max(r.PValue, 1e-300)), r.PValue, r.Method, r.CivicPeriods, r.ReinstatedAt, r.Cells ?? [],
                    Reinstated: true),
                SpikeClosed c when spikes.TryGetValue(c.SpikeId, out var s) =>
                    new SpikeEnded(c.SpikeId, s.Slice, s.Start, c.End, c.Observed, c.Expected, c.Withdrawn, c.ClosedAt),
                CampaignRaised r => new CampaignSuspected(r.CampaignId, r.Members.Select(m => m.ReportId).ToList(),
                    r.Score, r.PValue, r.Signals, r.Members.Select(m => m.Country).Distinct().Order().ToList(),
                    r.Members.Select(m => m.Platform).Distinct().Order().ToList(), r.Members.Min(m => m.OccurredAt), r.Members.Max(m => m.OccurredAt),
                    r.RaisedAt, PeriodsOf(e), r.SignalEvidence),
                CampaignConfirmedByAnalyst c when Of(e) is var m => new CampaignConfirmed(c.CampaignId, m.ReportIds, c.Note, c.ConfirmedAt,
                    m.Countries, m.Platforms, m.FirstSeen, m.LastSeen, m.Revision, PeriodsOf(e)),
                CampaignDismissedByAnalyst d => new CampaignDismissed(d.CampaignId, d.Reason, d.DismissedAt),
                CampaignAbsorbed a when Of(e) is var m => new CampaignsMerged(a.CampaignId, a.From, m.ReportIds, a.MergedAt,
                    m.Countries, m.Platforms, m.FirstSeen, m.LastSeen, m.Revision, PeriodsOf(e)),
                CampaignReportLinked l when lastLinked.Contains(e.Id) && Of(e) is { FirstSeen: { } first, LastSeen: { } last } m =>
                    new CampaignReportsLinked(l.CampaignId, m.ReportIds, m.Countries, m.Platforms, first, last, l.LinkedAt, m.Revision, PeriodsOf(e)),
                CampaignReportSplitOff s when Of(e) is var m => new Contract.CampaignReportSplitOff(s.CampaignId, s.ReportId,
                    m.ReportIds, m.Countries, m.Platforms, m.FirstSeen ?? s.SplitAt, m.LastSeen ?? s.SplitAt, s.SplitAt, m.Revision, PeriodsOf(e)),
                _ => null,
            };
            // Built first, so a trial meets whatever a conversion would fail on; published only for real.
            if (message is not null && !trial) await bus.PublishIntegrationEvent(message, e.Id, ct);
        }
        return NullChangeListener.Instance;
    }

    /// <summary>What a campaign held as of one of its events, as its integration events tell it.</summary>
    private sealed record Membership(
        IReadOnlyList<Guid> ReportIds, IReadOnlyList<string> Countries, IReadOnlyList<Platform> Platforms, DateTimeOffset? FirstSeen,
        DateTimeOffset? LastSeen, long Revision)
    {
        public static Membership Of(Campaign c, long revision) => new(c.Members.Select(m => m.ReportId).ToList(),
            c.Members.Select(m => m.Country).Distinct().Order().ToList(), c.Members.Select(m => m.Platform).Distinct().Order().ToList(),
            c.FirstSeen, c.LastSeen, revision);

        public static Membership None(long revision) => new([], [], [], null, null, revision);
    }
}
