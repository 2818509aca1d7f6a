using Marten;
using Microsoft.Extensions.Options;
using Takedowns.Correlation.Calendar;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Spikes;

public sealed class DetectionOptions
{
    public const string Section = "Detection";

    /// <summary>How often the series are scanned for spikes (at most; a scan is always followed by a pause twice its length).</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Recent days, back from today, that every scan assesses again; older days are assessed again when their counts change.</summary>
    public int ScanDays { get; set; } = 120;

    /// <summary>
    /// While reports are still being counted in (the counts behind the stored events), older days whose counts changed
    /// are scanned at most this often (counted from the service's start, and at least ten times as long as the last such
    /// scan took), and every day while the backlog is over <see cref="BusyBacklog"/>; once the counts have caught up, at
    /// the next scan.
    /// </summary>
    public TimeSpan HistoricInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Events stored between two turns of the scanner (or not yet in the daily counts) beyond which an import is taken to
    /// be under way: a scan would assess days the next pages change again, so scans then wait for
    /// <see cref="HistoricInterval"/> or for the import to end, recent days too.
    /// </summary>
    public long BusyBacklog { get; set; } = 5_000;

    /// <summary>
    /// Megabytes campaign detection may keep in memory between pages (stored keys, profiles and background counts:
    /// <see cref="Campaigns.RecentState"/>): what is not held is read from the tables, with the same result. The default
    /// keeps the service small under a live load; importing a large history goes faster with more (about 1,024 for a
    /// million reports).
    /// </summary>
    public int HeldMegabytes { get; set; } = 16;
}

/// <summary>What one scan did.</summary>
public sealed record SpikeScanResult(int Slices, int Found, int Raised, int Revised, int Closed);

/// <summary>
/// Scans every slice's series for spikes and brings the stored spikes in line with what the detector finds: new ones
/// are raised, growing ones revised, finished ones closed, and ones that late changes (retracted or amended reports) no
/// longer support are withdrawn. The detector is deterministic, so a scan of the same data finds the same spikes, and
/// rebuilding from history gives them back.
/// </summary>
public sealed class SpikeScanner(IDocumentStore store, IOptions<DetectionOptions> options, TimeProvider clock, ILogger<SpikeScanner> logger)
    : BackgroundService
{
    /// <summary>Spikes first seen this close to the start of a scan may have begun before it: they are left as they are.</summary>
    private const int SettleDays = 14;

    private readonly SpikeDetector _detector = new(SpikeSettings.Default);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            long started = clock.GetTimestamp();
            long counted = 0;
            try
            {
                var (head, counts) = await ProgressAsync(ct);
                counted = counts;
                // Counted from the service's start: one that starts into an import does not scan what it is about to change.
                _lastHistoric ??= clock.GetUtcNow();
                var spacing = options.Value.HistoricInterval > 10 * _historicTook ? options.Value.HistoricInterval : 10 * _historicTook;
                long arrived = _headBefore is { } before ? head - before : 0;
                _headBefore = head;
                // Recent days are judged by the share of their reports in by now, which moves slowly: without a change of
                // counts or civic periods they are scanned again once a day begins or the historic interval has passed.
                var now = clock.GetUtcNow();
                bool stale = _lastScan is not { } last || now - last >= options.Value.HistoricInterval || now.UtcDateTime.Date != last.UtcDateTime.Date;
                bool worth = stale || await ChangedSinceScannedAsync(ct);
                var plan = PlanScan(worth, now - _lastHistoric >= spacing, head - counts, arrived, options.Value.BusyBacklog);
                if (plan != ScanPlan.Wait)
                {
                    var result = await ScanAsync(plan == ScanPlan.Everything, ct);
                    _lastScan = now;
                    var scanned = clock.GetElapsedTime(started);
                    if (plan == ScanPlan.Everything) (_lastHistoric, _historicTook) = (clock.GetUtcNow(), scanned);
                    if (result.Raised + result.Revised + result.Closed > 0 || scanned > TimeSpan.FromSeconds(10))
                        logger.LogInformation("Spike scan over {Slices} slices in {Seconds:0.0} s: {Raised} raised, {Revised} revised, {Closed} closed",
                            result.Slices, scanned.TotalSeconds, result.Raised, result.Revised, result.Closed);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Spike scan failed; retrying at the next interval");
            }
            // A scan that takes long (many slices, a busy machine) is followed by a pause twice as long: scanning never
            // takes more than a third of a core from the service's other work, such as taking in a large import. A pause
            // that runs past the interval ends early once the counts have taken in every stored event and hold some the
            // scan did not see: an import has then been counted whole, and its spikes are found now, not a long pause later.
            var took = clock.GetElapsedTime(started);
            var pause = options.Value.ScanInterval - took;
            if (pause < 2 * took) pause = 2 * took;
            var until = clock.GetUtcNow() + pause;
            while (PauseStep(until, clock.GetUtcNow()) is { } wait)
            {
                await Task.Delay(wait, clock, ct);
                try
                {
                    if (clock.GetElapsedTime(started) >= options.Value.ScanInterval && await CountsSettledBeyondAsync(counted, ct)) break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The pause goes on to its end; the scan after it reports what is wrong, if it still is.
                    logger.LogWarning(e, "Spike scanner could not read how far the counts are; pausing as planned");
                }
            }
        }
    }

    /// <summary>
    /// The next wait of a pause that ends at <paramref name="until"/>, the clock reading <paramref name="now"/>: what is
    /// left of it, at most <see cref="SettledCheck"/>; none once it has ended. The clock is read once for both the test
    /// and the wait, so a pause that ends between two readings never asks for a negative wait.
    /// </summary>
    public static TimeSpan? PauseStep(DateTimeOffset until, DateTimeOffset now)
    {
        var left = until - now;
        return left <= TimeSpan.Zero ? null : left < SettledCheck ? left : SettledCheck;
    }

    private DateTimeOffset? _lastHistoric;

    /// <summary>When the last scan began.</summary>
    private DateTimeOffset? _lastScan;

    /// <summary>Whether some country's daily counts or civic periods changed since the scans last took them in.</summary>
    public async Task<bool> ChangedSinceScannedAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var (state, changes, periodsOf) = await ScanInputsAsync(session, ct);
        return changes.Any(c => c.ChangedSince(state.SeenOf(c.Id)) is not null
                                || state.PeriodsChanged(c.Id, periodsOf.GetValueOrDefault(c.Id) ?? []) is not null);
    }

    /// <summary>What a scan starts from: what the scans have taken in so far, each country's record of changes, its civic periods.</summary>
    private static async Task<(SpikeScanState State, IReadOnlyList<SeriesChanges> Changes, Dictionary<string, List<CivicPeriod>> PeriodsOf)> ScanInputsAsync(
        IQuerySession session, CancellationToken ct)
    {
        var state = await session.LoadAsync<SpikeScanState>(SpikeScanState.TheId, ct) ?? new SpikeScanState();
        var changes = await session.Query<SeriesChanges>().ToListAsync(ct);
        var periods = await session.Query<CivicPeriod>().ToListAsync(ct);
        return (state, changes, periods.GroupBy(p => p.Country).ToDictionary(g => g.Key, g => g.ToList()));
    }

    /// <summary>The last stored event at the scanner's previous turn.</summary>
    private long? _headBefore;

    /// <summary>
    /// How long the last scan of everything changed took: while a backlog is counted in, such scans are at least ten times
    /// that apart, so scanning a long history takes at most a tenth of a core from taking it in.
    /// </summary>
    private TimeSpan _historicTook;

    /// <summary>How often a long pause looks whether the counts have settled.</summary>
    public static readonly TimeSpan SettledCheck = TimeSpan.FromSeconds(5);

    /// <summary>What a turn of the scanner does.</summary>
    public enum ScanPlan
    {
        /// <summary>Nothing yet: nothing changed, or the counts are taking in a backlog that would change the days scanned again.</summary>
        Wait,
        /// <summary>The recent days; older days whose counts changed stay to be scanned.</summary>
        Recent,
        /// <summary>The recent days and every older day whose counts or civic periods changed.</summary>
        Everything,
    }

    /// <summary>
    /// A turn's scan. While the stored events grow by more than <paramref name="busyEvents"/> between turns, or the counts
    /// are that far behind them (an import being counted in), each scan would assess days that the next pages change
    /// again, recent ones included: the scanner then scans only when <paramref name="historicDue"/>
    /// (<see cref="DetectionOptions.HistoricInterval"/>), and otherwise at the first turn after the import. Without that,
    /// the recent days are scanned every turn, and older changed days too when the counts hold every stored event or the
    /// interval is due (each such scan goes over the whole changed history, which a trickle of late reports would
    /// otherwise have it do every minute).
    /// </summary>
    /// <param name="backlog">Stored events the daily counts have not taken in yet.</param>
    /// <param name="arrived">Events stored since the scanner's previous turn (at least a scan interval ago).</param>
    /// <param name="worth">
    /// Whether a scan could find anything new: some counts or civic periods changed since the last, a day began, or the
    /// shares of recent days' reports in by now have moved for a while. Without it the turn waits.
    /// </param>
    public static ScanPlan PlanScan(bool worth, bool historicDue, long backlog, long arrived, long busyEvents) =>
        !worth ? ScanPlan.Wait
        : historicDue ? ScanPlan.Everything
        : backlog > busyEvents || arrived > busyEvents ? ScanPlan.Wait
        : backlog <= 0 ? ScanPlan.Everything
        : ScanPlan.Recent;

    /// <summary>The last event stored, and the last one the daily counts and their record of changes have both taken in.</summary>
    private async Task<(long Head, long Counted)> ProgressAsync(CancellationToken ct)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        long head = progress.FirstOrDefault(p => p.ShardName == HighWaterMarkName)?.Sequence ?? 0;
        long counts = progress
            .Where(p => p.ShardName.StartsWith(SliceDayShard, StringComparison.Ordinal) || p.ShardName.StartsWith(SeriesChangesShard, StringComparison.Ordinal))
            .Select(p => p.Sequence).DefaultIfEmpty(0).Min();
        return (head, counts);
    }

    /// <summary>Whether the daily counts and their record of changes have processed every stored event, and got past <paramref name="seen"/>.</summary>
    private async Task<bool> CountsSettledBeyondAsync(long seen, CancellationToken ct)
    {
        try
        {
            var (head, counts) = await ProgressAsync(ct);
            return counts > seen && counts >= head;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not read the projections' progress; the scanner waits out its pause");
            return false;
        }
    }

    private const string HighWaterMarkName = "HighWaterMark";
    private const string SeriesChangesShard = nameof(SeriesChanges) + ":";

    public Task<SpikeScanResult> ScanAsync(CancellationToken ct) => ScanAsync(historic: true, ct);

    /// <param name="historic">
    /// Whether days beyond the recent ones whose counts changed are scanned too; if not, they stay to be scanned.
    /// </param>
    public async Task<SpikeScanResult> ScanAsync(bool historic, CancellationToken ct)
    {
        // Scans in one instance take turns (the service's loop, and a scan asked for meanwhile): each loads what the scans
        // have taken in and stores it back, so a scan that began before another one committed would store its older
        // record over the newer one, and the changes the newer one saw would be scanned again.
        await _scanning.WaitAsync(ct);
        try
        {
            // And so do scans of different instances of the service, through a lock in the database.
            await using var turn = await AdvisoryLock.TakeAsync(store.Options.Tenancy.Default.Database.CreateConnection(), ScanLockKey, ct);
            return await ScanOnceAsync(historic, ct);
        }
        finally
        {
            _scanning.Release();
        }
    }

    private readonly SemaphoreSlim _scanning = new(1, 1);

    /// <summary>The advisory lock the instances' scans take turns with (any fixed number; "spikes" in ASCII).</summary>
    private const long ScanLockKey = 0x7370696b6573;

    private async Task<SpikeScanResult> ScanOnceAsync(bool historic, CancellationToken ct)
    {
        var settings = SpikeSettings.Default;
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        int reach = settings.BaselineDays + settings.GuardDays;
        var recentFrom = today.AddDays(-(Math.Max(options.Value.ScanDays, SettleDays + 1) - 1));

        await using var session = store.LightweightSession();
        var (state, changes, periodsOf) = await ScanInputsAsync(session, ct);
        var delays = await session.LoadAsync<ReportingDelays>(ReportingDelays.TheId, ct) ?? new ReportingDelays();
        // The daily counts may lag behind the record of changes (they are separate projections): a change is taken as
        // seen only once the counts hold it too.
        long counted = (await ProgressAsync(ct)).Counted;

        int slices = 0, found = 0, raised = 0, revised = 0, closed = 0;
        foreach (var country in changes.OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            var own = periodsOf.GetValueOrDefault(country.Id) ?? [];
            var ranges = new List<ScanRange> { new(recentFrom, today, Recent: true) };
            // Days whose counts changed since the last scan, and every day whose baseline holds one of them.
            var changed = country.ChangedSince(state.SeenOf(country.Id));
            // A civic period registered or moved changes the baselines of its days and of the weeks after.
            var moved = state.PeriodsChanged(country.Id, own);
            bool deferred = !historic && (changed is not null || moved is not null);
            if (!deferred && changed is { } c) ranges.Add(Historic(c.From, c.To));
            if (!deferred && moved is { } m) ranges.Add(Historic(m, m));
            foreach (var range in Merge(ranges))
            {
                var result = await ScanRangeAsync(session, country.Id, range, own, delays, today, now, settings, ct);
                (slices, found, raised, revised, closed) =
                    (slices + result.Slices, found + result.Found, raised + result.Raised, revised + result.Revised, closed + result.Closed);
            }
            if (!deferred) state.Saw(country.Id, Math.Max(state.SeenOf(country.Id), Math.Min(country.Last, counted)), own);
        }
        session.Store(state);
        await session.SaveChangesAsync(ct);
        return new SpikeScanResult(slices, found, raised, revised, closed);

        ScanRange Historic(DateOnly from, DateOnly to)
        {
            // A change on day d is in the baselines of the days up to d + reach; a spike open then may run a few weeks on.
            var start = from == DateOnly.MinValue ? DateOnly.MinValue : from.AddDays(-SettleDays);
            var end = to == DateOnly.MaxValue || to.DayNumber + reach + ExtendDays >= today.DayNumber ? today : to.AddDays(reach + ExtendDays);
            return new ScanRange(start, end, Recent: end == today);
        }
    }

    private const string SliceDayShard = nameof(SliceDay) + ":";

    /// <summary>Days an episode found near the end of a historic range may still run on past its last changed baseline.</summary>
    private const int ExtendDays = 28;

    /// <summary>Days a spike found within is said to have been found as it happened (reports take days to arrive).</summary>
    public const int LiveDays = 7;

    /// <param name="Recent">Whether the range ends today, so spikes still open at its end are open.</param>
    private readonly record struct ScanRange(DateOnly From, DateOnly To, bool Recent);

    private static IEnumerable<ScanRange> Merge(List<ScanRange> ranges)
    {
        ScanRange? current = null;
        foreach (var r in ranges.OrderBy(r => r.From))
        {
            if (current is { } c && r.From <= c.To.AddDays(1))
                current = new ScanRange(c.From, r.To > c.To ? r.To : c.To, c.Recent || r.Recent);
            else
            {
                if (current is { } done) yield return done;
                current = r;
            }
        }
        if (current is { } last) yield return last;
    }

    /// <summary>
    /// Assesses one country's days <paramref name="range"/> and brings its stored spikes first alarmed there in line. The
    /// first <see cref="SettleDays"/> days only warm the detector up (a spike seen alarming then may have begun before);
    /// in a range that ends before today, spikes first alarmed in its last <see cref="ExtendDays"/> days are left as
    /// they are (their baselines did not change, and they may run on past the range).
    /// </summary>
    private async Task<SpikeScanResult> ScanRangeAsync(IDocumentSession session, string country, ScanRange range, IReadOnlyList<CivicPeriod> periods,
        ReportingDelays delays, DateOnly today, DateTimeOffset now, SpikeSettings settings, CancellationToken ct)
    {
        var first = await session.Query<SliceDay>().Where(d => d.Country == country && d.Count > 0).OrderBy(d => d.Day).Select(d => d.Day).FirstOrDefaultAsync(ct);
        if (first == default) return new SpikeScanResult(0, 0, 0, 0, 0);
        var from = range.From < first ? first : range.From;
        if (from > range.To) return new SpikeScanResult(0, 0, 0, 0, 0);
        var loadFrom = from.AddDays(-(settings.BaselineDays + settings.GuardDays));
        var settled = range.From < first ? from : from.AddDays(SettleDays);
        var lastDecided = range.Recent ? range.To : range.To.AddDays(-ExtendDays);

        var cells = await session.Query<SliceDay>()
            .Where(d => d.Country == country && d.Day >= loadFrom && d.Day <= range.To && d.Count > 0).ToListAsync(ct);
        var series = SeriesSet.From(cells.Select(c => new CellDay(c.Day, c.Country, c.Platform, c.Category, c.SubjectType, c.Count)), loadFrom, range.To);
        bool Excluded(string _, DateOnly day) => periods.Any(p => p.Covers(day));
        var episodes = _detector.Detect(series, Excluded, from, range.To, today, d => delays.Completeness(d));
        var found = episodes.Where(e => e.FirstAlarm >= settled && e.FirstAlarm <= lastDecided).ToDictionary(e => Spike.IdOf(e.Slice, e.Start));
        // Found, but first alarming where this range does not decide (its warm-up, or its last days).
        var undecided = episodes.Select(e => Spike.IdOf(e.Slice, e.Start)).Where(id => !found.ContainsKey(id)).ToHashSet();
        // A spike found now may be stored with a first alarm outside the range (late reports of its first days move it):
        // it is loaded by its id too, and revised rather than started again.
        var foundIds = found.Keys.ToArray();
        var stored = (await session.Query<Spike>()
                .Where(s => s.Country == country && ((s.FirstAlarm >= settled && s.FirstAlarm <= lastDecided) || (range.Recent && s.Open) ||
                                                     foundIds.Contains(s.Id)))
                .ToListAsync(ct))
            .ToDictionary(s => s.Id);

        int raised = 0, revised = 0, closed = 0;
        void Record(Guid id, object[] events, bool isNew)
        {
            if (events.Length == 0) return;
            if (isNew) session.Events.StartStream<Spike>(id, events);
            else session.Events.Append(id, events);
            raised += events.Count(e => e is SpikeRaised or SpikeReinstated); // a reinstated spike is raised again
            revised += events.Count(e => e is SpikeRevised);
            closed += events.Count(e => e is SpikeClosed);
        }
        foreach (var spike in stored.Values)
        {
            if (found.TryGetValue(spike.Id, out var episode))
                Record(spike.Id, SpikeDecisions.Reconcile(spike, episode, PeriodsOf(episode), now), false);
            else if (spike.FirstAlarm < settled)
            {
                // Older than the scan can see whole: it ends as it stands.
                if (spike.Open) Record(spike.Id, [new SpikeClosed(spike.Id, spike.End, spike.Observed, spike.Expected, false, now)], false);
            }
            // Still found, but first alarming where this range does not decide: a range that does decides it.
            else if (!undecided.Contains(spike.Id))
                Record(spike.Id, SpikeDecisions.Reconcile(spike, null, [], now), false);
        }
        foreach (var (id, episode) in found.Where(p => !stored.ContainsKey(p.Key)))
            Record(id, SpikeDecisions.Reconcile(null, episode, PeriodsOf(episode), now), true);
        return new SpikeScanResult(series.Counts.Count, found.Count, raised, revised, closed);

        IReadOnlyList<Contracts.Analysis.CivicPeriodRef> PeriodsOf(SpikeEpisode e) =>
            periods.Where(p => p.Overlaps(e.Start, e.End)).OrderBy(p => p.Start).Select(p => p.ToRef()).ToList();
    }
}

/// <summary>
/// What the spike scanner has seen: per country, the number of the last series change it scanned and the civic
/// periods it scanned with. Written by the scanner alone.
/// </summary>
public sealed class SpikeScanState
{
    public const string TheId = "spike-scan";

    public string Id { get; set; } = TheId;
    public Dictionary<string, long> Seen { get; set; } = [];
    public Dictionary<string, List<PeriodSeen>> Periods { get; set; } = [];

    public long SeenOf(string country) => Seen.GetValueOrDefault(country);

    /// <summary>The earliest day whose baseline a registered, amended or removed period changed, or null.</summary>
    public DateOnly? PeriodsChanged(string country, IReadOnlyList<CivicPeriod> periods)
    {
        var before = Periods.GetValueOrDefault(country) ?? [];
        var now = periods.Select(PeriodSeen.Of).ToList();
        var changed = before.Except(now).Concat(now.Except(before)).ToList();
        return changed.Count == 0 ? null : changed.Min(p => p.Start);
    }

    public void Saw(string country, long changes, IReadOnlyList<CivicPeriod> periods)
    {
        Seen[country] = changes;
        Periods[country] = periods.Select(PeriodSeen.Of).OrderBy(p => p.Id).ToList();
    }
}

public sealed record PeriodSeen(Guid Id, DateOnly Start, DateOnly End)
{
    public static PeriodSeen Of(CivicPeriod p) => new(p.Id, p.Start, p.End);
}
