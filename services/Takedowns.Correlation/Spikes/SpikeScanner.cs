using Marten;
using Microsoft.Extensions.Options;
using Takedowns.Correlation.Calendar;
using Takedowns.Correlation.Series;

namespace Takedowns.Correlation.Spikes;

public sealed class DetectionOptions
{
    public const string Section = "Detection";

    /// <summary>How often the series are scanned for spikes (at most; a scan is always followed by a pause twice its length).</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Days, back from today, that each scan assesses (and in which spikes may still change).</summary>
    public int ScanDays { get; set; } = 120;
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
            try
            {
                var result = await ScanAsync(ct);
                if (result.Raised + result.Revised + result.Closed > 0)
                    logger.LogInformation("Spike scan over {Slices} slices: {Raised} raised, {Revised} revised, {Closed} closed", result.Slices, result.Raised, result.Revised, result.Closed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Spike scan failed; retrying at the next interval");
            }
            // A scan that takes long (many slices, a busy machine) is followed by a pause twice as long: scanning never
            // takes more than a third of a core from the service's other work, such as taking in a large import.
            var took = clock.GetElapsedTime(started);
            var pause = options.Value.ScanInterval - took;
            if (pause < 2 * took) pause = 2 * took;
            await Task.Delay(pause, clock, ct);
        }
    }

    public async Task<SpikeScanResult> ScanAsync(CancellationToken ct)
    {
        var settings = SpikeSettings.Default;
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var from = today.AddDays(-(Math.Max(options.Value.ScanDays, SettleDays + 1) - 1));
        var loadFrom = from.AddDays(-(settings.BaselineDays + settings.GuardDays));
        var settled = from.AddDays(SettleDays);

        await using var session = store.LightweightSession();
        var cells = await session.Query<SliceDay>().Where(d => d.Day >= loadFrom && d.Day <= today && d.Count > 0).ToListAsync(ct);
        var periods = await session.Query<CivicPeriod>().Where(p => p.End >= loadFrom).ToListAsync(ct);
        var delays = await session.LoadAsync<ReportingDelays>(ReportingDelays.TheId, ct) ?? new ReportingDelays();
        var periodsOf = periods.GroupBy(p => p.Country).ToDictionary(g => g.Key, g => g.ToList());

        var series = SeriesSet.From(cells.Select(c => new CellDay(c.Day, c.Country, c.Platform, c.Category, c.SubjectType, c.Count)), loadFrom, today);
        bool Excluded(string country, DateOnly day) => periodsOf.TryGetValue(country, out var list) && list.Any(p => p.Covers(day));
        var found = _detector.Detect(series, Excluded, from, today, today, d => delays.Completeness(d))
            .Where(e => e.FirstAlarm >= settled)
            .ToDictionary(e => Spike.IdOf(e.Slice, e.Start));
        var stored = (await session.Query<Spike>().Where(s => s.Open || s.FirstAlarm >= settled).ToListAsync(ct)).ToDictionary(s => s.Id);

        int raised = 0, revised = 0, closed = 0;
        void Record(Guid id, object[] events, bool isNew)
        {
            if (events.Length == 0) return;
            if (isNew) session.Events.StartStream<Spike>(id, events);
            else session.Events.Append(id, events);
            raised += events.Count(e => e is SpikeRaised);
            revised += events.Count(e => e is SpikeRevised);
            closed += events.Count(e => e is SpikeClosed);
        }
        foreach (var spike in stored.Values)
        {
            if (spike.FirstAlarm < settled)
            {
                // Older than the scan can see whole: it ends as it stands.
                if (spike.Open) Record(spike.Id, [new SpikeClosed(spike.Id, spike.End, spike.Observed, spike.Expected, false, now)], false);
                continue;
            }
            var episode = found.GetValueOrDefault(spike.Id);
            Record(spike.Id, SpikeDecisions.Reconcile(spike, episode, episode is null ? [] : PeriodsOf(episode), now), false);
        }
        foreach (var (id, episode) in found.Where(p => !stored.ContainsKey(p.Key)))
            Record(id, SpikeDecisions.Reconcile(null, episode, PeriodsOf(episode), now), true);
        await session.SaveChangesAsync(ct);
        return new SpikeScanResult(series.Counts.Count, found.Count, raised, revised, closed);

        IReadOnlyList<Contracts.Analysis.CivicPeriodRef> PeriodsOf(SpikeEpisode e) =>
            periodsOf.TryGetValue(e.Slice.Country, out var list)
                ? list.Where(p => p.Overlaps(e.Start, e.End)).OrderBy(p => p.Start).Select(p => p.ToRef()).ToList()
                : [];
    }
}
