using System.Diagnostics;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services;
using Marten.Subscriptions;
using Microsoft.Extensions.Options;
using Takedowns.Correlation.Spikes;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// Runs campaign detection over Correlation's report events, page by page: each page's reports are compared, linked,
/// clustered and tested, and everything that changed (profiles, candidate keys, background counts, clusters, campaign
/// events) is written in the page's own unit of work with its progress, so a page processed again after a crash starts
/// from the same state and gives the same result.
/// </summary>
public sealed class CampaignLinker(Parked parked, IOptions<DetectionOptions> options, ILogger<CampaignLinker> logger)
    : ParkingSubscription(SubscriptionName, parked, logger)
{
    private readonly RecentState _recent = RecentState.WithBudget(options.Value.HeldMegabytes, logger);

    private readonly DocumentRows<NoticeProfile, Guid> _profiles = new(p => p.Id);

    private bool _keysMoved;

    /// <summary>What detection keeps in memory between pages (tests read how often it was loaded again).</summary>
    public RecentState Recent => _recent;

    public const string SubscriptionName = "campaign-linker";

    /// <summary>
    /// Events per page (Marten's default is 500). A page is one unit of work whatever its size, and detection gives the
    /// same result on any paging; a larger one loads fewer stored profiles again and writes keys and counts in fewer,
    /// larger statements: on an imported history of 110,000 reports, 5,000 halved PostgreSQL's time for detection.
    /// </summary>
    public const int PageSize = EventStoreExtensions.PageSize;

    public static readonly Type[] EventTypes =
    [
        typeof(ReportObserved), typeof(ObservedReportRevised), typeof(ObservedReportRetracted),
        // Analysts' decisions, which detection carries into its clusters in the order of events.
        typeof(CampaignConfirmedByAnalyst), typeof(CampaignDismissedByAnalyst), typeof(CampaignReportSplitOff), typeof(CampaignAbsorbed),
    ];

    protected override async Task<IChangeListener> ProcessAsync(EventRange page, IDocumentOperations operations, bool trial, CancellationToken ct)
    {
        if (!_keysMoved && !trial)
        {
            // In a transaction of its own: done once for good, whatever becomes of this page.
            long moved = await PostgresCampaignBackend.MoveEarlierKeysAsync(operations.DocumentStore, ct);
            if (moved > 0) logger.LogInformation("Campaign detection moved {Keys} stored keys into a row per report", moved);
            _keysMoved = true;
        }
        if (page.Events.Count == 0)
        {
            _recent.Empty(page.SequenceFloor, page.SequenceCeiling);
            return NullChangeListener.Instance;
        }
        long started = Stopwatch.GetTimestamp();
        var raised = new List<(Guid, object)>();
        // Notices are prepared (normalised, hashed) on all cores first; comparing and clustering then goes in order.
        var prepared = page.Events
            .Select((e, i) => (Index: i, Report: e.Data switch
            {
                ReportObserved { Notice: { } notice } r => new NoticeReport(r.ReportId, r.OrganisationId, r.IncidentId, r.Country, r.Platform, r.SubjectType,
                    r.Category, r.OccurredOn, r.OccurredAt, r.ExternalId, notice, 1),
                ObservedReportRevised { Notice: { } notice } r => new NoticeReport(r.ReportId, Guid.Empty, r.IncidentId, r.Country, r.Platform, r.SubjectType,
                    r.Category, r.OccurredOn, r.OccurredAt, r.ExternalId, notice, r.Revision),
                _ => null,
            }))
            .Where(x => x.Report is not null)
            .AsParallel()
            .ToDictionary(x => x.Index, x => PreparedNotice.Of(x.Report!));
        long preparedAt = Stopwatch.GetTimestamp();
        var backend = await _recent.BeginAsync(page.SequenceFloor, new PostgresCampaignBackend(operations), prepared.Values.Select(p => p.Report.Time), ct);
        var state = new CampaignState(backend);
        var engine = new CampaignEngine(state, CampaignSettings.Default);
        long loadedAt = Stopwatch.GetTimestamp();
        await engine.PrefetchAsync(prepared.OrderBy(p => p.Key).Select(p => p.Value).ToList(), ct);
        long prefetchedAt = Stopwatch.GetTimestamp();
        for (int i = 0; i < page.Events.Count; i++)
        {
            var e = page.Events[i];
            var now = e.Timestamp;
            switch (e.Data)
            {
                case ReportObserved or ObservedReportRevised when prepared.TryGetValue(i, out var notice):
                    raised.AddRange(await engine.ObserveAsync(notice, now, ct));
                    break;
                case ObservedReportRevised r:
                    await engine.RetractAsync(r.ReportId, ct); // no longer shared with the network's analysts
                    break;
                case ObservedReportRetracted r:
                    await engine.RetractAsync(r.ReportId, ct);
                    break;
                case CampaignConfirmedByAnalyst or CampaignDismissedByAnalyst or CampaignReportSplitOff or CampaignAbsorbed:
                    raised.AddRange(await engine.DecideAsync(e.Data, now, ct));
                    break;
            }
        }
        // Only appended: the documents follow from the events (an asynchronous projection, their one writer). Appended, not
        // started: a stream started here was not written (the subscription's session drops it).
        foreach (var group in raised.GroupBy(r => r.Item1))
            operations.Events.Append(group.Key, group.Select(g => g.Item2).ToArray());
        var changes = state.Changes();
        await PostgresCampaignBackend.QueueAsync(operations, changes, _profiles, ct);
        if (raised.Count > 0) logger.LogInformation("Campaign detection: {Events} campaign events from {Reports} report events", raised.Count, page.Events.Count);
        if (!trial)
        {
            var processedAt = DateTimeOffset.UtcNow;
            foreach (var e in page.Events.Where(e => e.Data is ReportObserved or ObservedReportRevised))
                TakedownsMetrics.DetectionLatency.Record((processedAt - e.Timestamp).TotalSeconds, new KeyValuePair<string, object?>("detector", "campaigns"));
        }
        var committed = _recent.Committed(page.SequenceCeiling, changes);
        if (!logger.IsEnabled(LogLevel.Debug)) return committed;
        long comparedAt = Stopwatch.GetTimestamp();
        return new TimedPage(committed, logger, page.Events.Count, [started, preparedAt, loadedAt, prefetchedAt, comparedAt]);
    }

    /// <summary>Logs where a page's time went (at Debug), once it is committed.</summary>
    private sealed class TimedPage(IChangeListener inner, ILogger logger, int events, long[] marks) : IChangeListener
    {
        public async Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            await inner.AfterCommitAsync(session, commit, token);
            long now = Stopwatch.GetTimestamp();
            double Ms(int i) => Stopwatch.GetElapsedTime(marks[i], i + 1 < marks.Length ? marks[i + 1] : now).TotalMilliseconds;
            logger.LogDebug("Campaign detection page of {Events} events: preparing {Prepare:0} ms, loading days {Load:0} ms, " +
                "loading candidates and profiles {Prefetch:0} ms, comparing and clustering {Compare:0} ms, writing {Write:0} ms",
                events, Ms(0), Ms(1), Ms(2), Ms(3), Ms(4));
        }

        public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) =>
            inner.BeforeCommitAsync(session, commit, token);
    }
}
