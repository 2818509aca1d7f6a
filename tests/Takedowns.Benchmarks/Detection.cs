using System.Diagnostics;
using System.Globalization;
using Takedowns.Contracts.Analysis;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Campaigns;
using Takedowns.Correlation.Spikes;
using Takedowns.Scenarios;
using Takedowns.Scenarios.Replay;
using Takedowns.ServiceDefaults;

namespace Takedowns.Benchmarks;

/// <summary>
/// Detection quality on generated scenarios with planted truth, and null scenarios with none: the spike detector against
/// CDC EARS C2 at the same false-alarm rate, and campaign detection's recall, B-cubed precision and recall, reports until
/// detection and false campaigns; plus the detector's work per report. Runs the detectors in process on the scenario's
/// reports, in the order they arrive.
/// </summary>
public static partial class Detection
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <param name="spikesOnly">Leave campaigns out (a quick run while working on spike detection).</param>
    /// <param name="explain">For each missed campaign and each false one, how its reports weighed against each other (to see why).</param>
    /// <param name="endsOn">
    /// The scenarios' last day: yesterday's are those the benchmark through the API generates today; a day before that
    /// gives the scenarios it generated then.
    /// </param>
    /// <param name="families">The scenario families to run (both unless told): every measure is printed per family.</param>
    public static async Task<int> RunAsync(int seeds, int countries, int days, bool spikesOnly = false, bool explain = false, DateOnly? endsOn = null,
        IReadOnlyList<ScenarioFamily>? families = null)
    {
        foreach (var family in families ?? [ScenarioFamily.A, ScenarioFamily.B])
            await RunFamilyAsync(family, seeds, countries, days, spikesOnly, explain, endsOn);
        return 0;
    }

    private static async Task RunFamilyAsync(ScenarioFamily family, int seeds, int countries, int days, bool spikesOnly, bool explain, DateOnly? endsOn)
    {
        var options = FamilyMeasures.Options(family, Options(countries, days));
        if (endsOn is { } end) options = options with { End = end };
        Console.WriteLine(string.Create(C, $"Detection benchmark, scenario family {FamilyMeasures.Name(family)}: {seeds} planted and {seeds} null scenarios, {countries} countries, {days} days each"));

        var ours = new List<SpikeScore>();
        var oursNull = new List<SpikeScore>();
        var earsRuns = new List<(Scenario Scenario, SeriesSet Series)>();
        var visible = new List<VisibleBurstCounts>();
        var visibleToPopulation = new List<VisibleBurstCounts>();
        var campaignScores = new List<CampaignScore>();
        var nullCampaigns = new List<CampaignScore>();
        var measures = new FamilyMeasures(family);
        var perReport = new List<double>();
        long reports = 0;
        var replay = TimeSpan.Zero;
        for (int seed = 1; seed <= seeds; seed++)
        {
            foreach (bool isNull in new[] { false, true })
            {
                var scenario = ScenarioFamilies.Generate(family, (options with { Seed = seed + (isNull ? 1000 : 0) }) is var o && isNull ? o.AsNull() : o);
                var (series, spikes) = Spikes(scenario);
                var detectedSpikes = spikes.Select(s => new DetectedSpike(s.Slice, s.Start, s.End, s.FirstAlarm)).ToList();
                var score = Score(scenario, series, detectedSpikes);
                (isNull ? oursNull : ours).Add(score);
                if (!isNull) earsRuns.Add((scenario, series));
                string spikeMeasures = measures.AddSpikes(scenario, detectedSpikes, score, isNull);
                if (!isNull) visible.Add(VisibleBursts(scenario, series, detectedSpikes));
                if (!isNull) visibleToPopulation.Add(VisibleBursts(scenario, series, detectedSpikes, knownPopulation: true));
                if (explain && !isNull) ExplainMissedSpikes(scenario, series, spikes);
                if (explain && !isNull) ExplainDelays(scenario, series, spikes);
                if (explain)
                    foreach (var e in spikes.Where(e => e.FirstAlarm >= scenario.Options.Start.AddDays(scenario.Options.WarmUpDays) && !SpikeScoring.Explained(scenario, new DetectedSpike(e.Slice, e.Start, e.End, e.FirstAlarm))))
                        Console.WriteLine(string.Create(C, $"    false alarm {e.Slice.Key} {e.Start:MM-dd}..{e.End:MM-dd} (first {e.FirstAlarm:MM-dd}): {e.Observed} observed vs {e.Expected:F2} expected, p {e.PValue:G2}, {e.Method}{(e.Cells.Count > 0 ? ": " + string.Join(" ", e.Cells.Select(c => c.Key)) : "")}"));

                if (spikesOnly)
                {
                    Console.WriteLine($"  seed {seed}{(isNull ? " (null)" : "")}: {scenario.Reports.Count} reports | spikes: {score}; {spikeMeasures}");
                    continue;
                }
                var (replayed, times, elapsed, state, engine) = await CampaignsAsync(scenario);
                var detected = replayed.Campaigns();
                replay += elapsed;
                reports += scenario.Reports.Count;
                perReport.AddRange(times);
                var cs = CampaignScoring.Score(scenario, detected);
                (isNull ? nullCampaigns : campaignScores).Add(cs);
                var (_, baselineLine) = measures.AddCampaigns(scenario, detected, cs, isNull);
                Console.WriteLine($"  seed {seed}{(isNull ? " (null)" : "")}: {scenario.Reports.Count} reports | spikes: {score}; {spikeMeasures} | campaigns: {cs}");
                Console.WriteLine($"    {baselineLine}");
                PrintMissed(cs);
                await WhyMissedAsync(scenario, detected, state, engine);
                if (explain) await ExplainMissedAsync(scenario, detected, state);
                if (explain) await ExplainFalseAsync(scenario, replayed, state);
                if (explain) await TextSimilarityAsync(scenario, state);
            }
        }

        double ourFalse = ours.Sum(s => s.FalseAlarms) / ours.Sum(s => s.SeriesYears);
        double ourDetection = (double)ours.Sum(s => s.ReferenceDetected) / ours.Sum(s => s.Reference);
        double ourNullFalse = oursNull.Sum(s => s.FalseAlarms) / oursNull.Sum(s => s.SeriesYears);
        // EARS C2 at the same false-alarm rate: its threshold raised until it alarms no more often than ours.
        double lo = 1, hi = 40, earsDetection = 0, earsFalse = 0;
        for (int step = 0; step < 14; step++)
        {
            double mid = (lo + hi) / 2;
            var scores = earsRuns.Select(r => Score(r.Scenario, r.Series, new EarsC2(mid).Detect(r.Series.Counts, r.Series.Origin, 0, r.Series.Days - 1))).ToList();
            double fa = scores.Sum(s => s.FalseAlarms) / scores.Sum(s => s.SeriesYears);
            if (fa > ourFalse) lo = mid;
            else (hi, earsDetection, earsFalse) = (mid, (double)scores.Sum(s => s.ReferenceDetected) / scores.Sum(s => s.Reference), fa);
        }
        var earsDefault = earsRuns.Select(r => Score(r.Scenario, r.Series, new EarsC2().Detect(r.Series.Counts, r.Series.Origin, 0, r.Series.Days - 1))).ToList();

        Console.WriteLine();
        Console.WriteLine($"Scenario family {FamilyMeasures.Name(family)}:");
        Console.WriteLine();
        Console.WriteLine("| measure | value | target |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(string.Create(C, $"| spikes: detection of 3-day bursts of ≥ 3 SD | {ourDetection:P1} ({ours.Sum(s => s.ReferenceDetected)}/{ours.Sum(s => s.Reference)}) | ≥ 80 % |"));
        Console.WriteLine(string.Create(C, $"| spikes: 3-day bursts of ≥ 3 SD that a test knowing each cell's rate could see within the budget: found / visible / all | {visible.Sum(v => v.Found)} / {visible.Sum(v => v.Visible)} / {ours.Sum(s => s.Reference)} | |"));
        var seen = visible.SelectMany(v => v.Bursts).ToList();
        Console.WriteLine(string.Create(C, $"| spikes: median days to detection of those visible bursts: the known-rate test at the earliest / ours (those found) | {Median(seen.Select(b => (double)b.Earliest)):F1} ({seen.Count}) / {Median(seen.Where(b => b.Found is not null).Select(b => (double)b.Found!.Value)):F1} ({seen.Count(b => b.Found is not null)}) | |"));
        // Day 3 stands for "3 or later".
        static bool OnDay(int? day, int d) => d < 3 ? day == d : day >= d;
        string ByDay(int d) => ByDayOf(seen, d);
        string ByDayOf(List<(int Earliest, int? Found)> bursts, int d) => bursts.Where(b => OnDay(b.Earliest, d)).ToList() is var at
            ? $"{at.Count(b => b.Found is not null)}/{at.Count} (found on day {string.Join("/", Enumerable.Range(0, 4).Select(f => at.Count(b => OnDay(b.Found, f))))})"
            : "";
        Console.WriteLine(string.Create(C, $"| spikes: visible bursts by the earliest day the known-rate test sees them, 0 / 1 / 2 / later: found / visible (found on its day 0/1/2/later) | {string.Join(" · ", Enumerable.Range(0, 4).Select(ByDay))} | |"));
        var seenByPopulation = visibleToPopulation.SelectMany(v => v.Bursts).ToList();
        Console.WriteLine(string.Create(C, $"| spikes: 3-day bursts of ≥ 3 SD that a test of each cell alone, knowing the rates of the country's cells but not which cell has which, could see within the budget: found / visible; median days to detection, that test at the earliest / ours (those found) | {seenByPopulation.Count(b => b.Found is not null)} / {seenByPopulation.Count}; {Median(seenByPopulation.Select(b => (double)b.Earliest)):F1} / {Median(seenByPopulation.Where(b => b.Found is not null).Select(b => (double)b.Found!.Value)):F1} | |"));
        Console.WriteLine(string.Create(C, $"| spikes: bursts that test sees by the earliest day it does, 0 / 1 / 2 / later: found / visible (found on its day 0/1/2/later) | {string.Join(" · ", Enumerable.Range(0, 4).Select(d => ByDayOf(seenByPopulation, d)))} | |"));
        Console.WriteLine(string.Create(C, $"| spikes: false alarms per series-year, planted / null scenarios | {ourFalse:F3} / {ourNullFalse:F3} | ≤ 0.5 |"));
        measures.PrintSpikes();
        var referenceDelays = ours.SelectMany(s => s.ReferenceDelays ?? []).Select(d => (double)d).ToList();
        var allDelays = ours.SelectMany(s => s.Delays ?? []).Select(d => (double)d).ToList();
        Console.WriteLine(string.Create(C, $"| spikes: median days to detection, 3-day bursts of ≥ 3 SD / every planted spike found (pooled) | {Median(referenceDelays):F1} ({referenceDelays.Count}) / {Median(allDelays):F1} ({allDelays.Count}) | ≤ 1 |"));
        Console.WriteLine(string.Create(C, $"| spikes: days to detection over every planted spike found: mean / share within 1 day | {allDelays.DefaultIfEmpty(double.NaN).Average():F2} / {allDelays.Count(d => d <= 1) / (double)Math.Max(1, allDelays.Count):P0} ({allDelays.Count} found) | |"));
        Console.WriteLine(string.Create(C, $"| spikes: EARS C2 at the same false-alarm rate (threshold {hi:F2}, {earsFalse:F3}/series-year) | {earsDetection:P1} | ours ≥ EARS + 10 points |"));
        Console.WriteLine(string.Create(C, $"| spikes: EARS C2 at its default threshold 3 | {(double)earsDefault.Sum(s => s.ReferenceDetected) / earsDefault.Sum(s => s.Reference):P1} at {earsDefault.Sum(s => s.FalseAlarms) / earsDefault.Sum(s => s.SeriesYears):F2} false alarms/series-year | |"));
        if (spikesOnly)
        {
            Console.WriteLine();
            return;
        }
        Console.WriteLine(string.Create(C, $"| campaigns: recall (≥ 5 reports, ≥ 2 shared signals) | {(double)campaignScores.Sum(s => s.Recalled) / campaignScores.Sum(s => s.Planted):P1} ({campaignScores.Sum(s => s.Recalled)}/{campaignScores.Sum(s => s.Planted)}) | ≥ 90 % |"));
        var byEdit = campaignScores.SelectMany(s => s.ByEditRate ?? []).ToList();
        string Band(double above, double upTo) => byEdit.Where(b => b.EditRate > above && b.EditRate <= upTo).ToList() is var band ? $"{band.Count(b => b.Found)}/{band.Count}" : "";
        Console.WriteLine(string.Create(C, $"| campaigns: recall by share of words edited (either class above): ≤ 10 % / 10-15 % / 15-20 % / over 20 % | {Band(-1, 0.10)} · {Band(0.10, 0.15)} · {Band(0.15, 0.20)} · {Band(0.20, 1)} | |"));
        Console.WriteLine(string.Create(C, $"| campaigns: recall, randomised claimants, ≤ 20 % edits | {(double)campaignScores.Sum(s => s.RandomNameRecalled) / Math.Max(1, campaignScores.Sum(s => s.RandomNamePlanted)):P1} ({campaignScores.Sum(s => s.RandomNameRecalled)}/{campaignScores.Sum(s => s.RandomNamePlanted)}) | ≥ 80 % |"));
        Console.WriteLine(string.Create(C, $"| campaigns: B-cubed precision / recall / F1 (mean) | {campaignScores.Average(s => s.BCubedPrecision):F3} / {campaignScores.Average(s => s.BCubedRecall):F3} / {campaignScores.Average(s => s.BCubedF1):F3} | F1 ≥ 0.85 |"));
        Console.WriteLine(string.Create(C, $"| campaigns: median reports until detection | {Median(campaignScores.Select(s => s.MedianReportsUntilDetection).Where(d => !double.IsNaN(d))):F1} | |"));
        Console.WriteLine(string.Create(C, $"| campaigns: false campaigns per 10,000 reports, null scenarios | {nullCampaigns.Sum(s => s.FalseCampaigns) * 10_000.0 / nullCampaigns.Sum(s => s.Reports):F2} | ≤ 1 |"));
        measures.PrintCampaigns(nullCampaigns);
        Console.WriteLine(string.Create(C, $"| campaign detection: median work per report (in memory) | {Median(perReport):F3} ms | ≤ 2 ms |"));
        Console.WriteLine(string.Create(C, $"| campaign detection: replay rate (in memory) | {reports / replay.TotalSeconds:F0} reports/s, 1,000,000 in {1_000_000 / (reports / replay.TotalSeconds):F0} s | ≤ 120 s |"));
        await Calibration.PrintAsync();
        Console.WriteLine();
    }


    /// <summary>
    /// Campaign detection's replay of at least <paramref name="target"/> reports in one go (one scenario, as many countries
    /// as it takes over two years), in memory: the rate, and how long 1,000,000 reports take.
    /// </summary>
    public static async Task<int> ReplayAsync(int target)
    {
        const int days = 730, countries = 12;
        var probe = ScenarioGenerator.Generate(Options(2, days) with { Seed = 7 });
        // The generator knows 12 countries; beyond what they give, every cell's rate is raised alike.
        double scale = Math.Max(1, target / (probe.Reports.Count / 2.0 * countries));
        var build = Stopwatch.StartNew();
        var scenario = ScenarioGenerator.Generate(Options(countries, days) with { Seed = 7, RateScale = scale, Campaigns = (int)(30 * scale) });
        Console.WriteLine(string.Create(C, $"Replay: {scenario.Reports.Count} reports ({countries} countries, {days} days, rates x {scale:F2}), generated in {build.Elapsed.TotalSeconds:F0} s"));
        var (replay, times, elapsed, _, _) = await CampaignsAsync(scenario);
        var detected = replay.Campaigns();
        var score = CampaignScoring.Score(scenario, detected);
        double rate = scenario.Reports.Count / elapsed.TotalSeconds;
        Console.WriteLine(string.Create(C, $"  campaigns: {score}"));
        PrintMissed(score);
        Console.WriteLine(string.Create(C, $"| campaign detection: replay of {scenario.Reports.Count} reports (in memory) | {elapsed.TotalSeconds:F1} s, {rate:F0} reports/s, 1,000,000 in {1_000_000 / rate:F0} s; median work {Median(times):F3} ms | ≤ 120 s |"));
        return 0;
    }

    /// <summary>Each planted campaign the detector missed, one line each, so a run shows what was hard.</summary>
    public static void PrintMissed(CampaignScore score)
    {
        foreach (string miss in score.Missed ?? [])
            Console.WriteLine($"    missed {miss}");
    }

    /// <summary>The middle value (the upper of the two middle ones), leaving out NaN; NaN when there is none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    /// <summary>The campaign settings the in-process modes run with (the service's, unless the command line changes them).</summary>
    public static CampaignSettings CampaignSettings { get; set; } = CampaignSettings.Default;
    /// <summary>The spike settings the in-process modes run with (the service's, unless the command line changes them).</summary>
    public static SpikeSettings SpikeSettings { get; set; } = SpikeSettings.Default;

    /// <summary>The scenarios both detection benchmarks generate.</summary>
    public static ScenarioOptions Options(int countries, int days) =>
        new() { Countries = countries, CellsPerCountry = 20, Days = days, Spikes = 16, Campaigns = 15, WarmUpDays = 100 };

    /// <summary>How many series a scenario gives the spike detector (every slice with data).</summary>
    public static int SeriesCount(Scenario scenario) => Series(scenario).Counts.Count;

    private static SeriesSet Series(Scenario scenario) =>
        SeriesSet.From(SpikeScoring.Cells(scenario).Select(c => new CellDay(c.Day, c.Country, c.Platform, c.Category, c.SubjectType, c.Count)),
            scenario.Options.Start, scenario.Options.End);

    private static SpikeScore Score(Scenario scenario, SeriesSet series, IReadOnlyList<DetectedSpike> detected) =>
        SpikeScoring.Score(scenario, detected, series.Counts.Count, scenario.Options.Start.AddDays(scenario.Options.WarmUpDays), scenario.Options.End);

    /// <summary>The spikes the detector finds replaying a scenario day by day, as the in-process benchmark does.</summary>
    internal static IReadOnlyList<SpikeEpisode> SpikesOf(Scenario scenario) => Spikes(scenario).Item2;

    private static (SeriesSet, IReadOnlyList<SpikeEpisode>) Spikes(Scenario scenario)
    {
        var o = scenario.Options;
        var series = Series(scenario);
        bool Excluded(string country, DateOnly day) => scenario.CivicPeriods.Any(p => p.Country == country && p.Start <= day && day <= p.End);
        return (series, new SpikeDetector(SpikeSettings).Detect(series, Excluded, o.Start, o.End, o.End.AddDays(1)));
    }

    /// <summary>
    /// Whether campaign detection takes the reports organisation by organisation, each one's in order of time, as
    /// bulk imports of each organisation's file deliver them, rather than all in order of time.
    /// </summary>
    public static bool ByOrganisation { get; set; }

    /// <summary>
    /// A directory of files giving, per scenario, the order its reports arrived in through the running system
    /// (<c>--arrival-out</c> of <see cref="DetectionThroughApi"/>): campaign detection takes a scenario with such a file in that order.
    /// </summary>
    public static string? ArrivalFrom { get; set; }

    /// <summary>A scenario's arrival file: named by its seed and its number of reports, which tell the families' scenarios apart.</summary>
    internal static string ArrivalFile(Scenario scenario) => $"seed-{scenario.Options.Seed}-{scenario.Reports.Count}.txt";

    /// <summary>Campaign detection over one scenario, its reports in the order given; with explanations of the campaigns it missed.</summary>
    public static async Task<int> ReplayCampaignsAsync(Scenario scenario, IReadOnlyList<SyntheticReport> order, bool explain)
    {
        _order = order;
        var (replay, _, elapsed, state, _) = await CampaignsAsync(scenario);
        var detected = replay.Campaigns();
        var score = CampaignScoring.Score(scenario, detected);
        Console.WriteLine(string.Create(C, $"  campaigns ({elapsed.TotalSeconds:F0} s): {score}"));
        PrintMissed(score);
        if (explain) await ExplainMissedAsync(scenario, detected, state);
        return 0;
    }

    private static IReadOnlyList<SyntheticReport>? _order;

    private static IEnumerable<SyntheticReport> Arrival(Scenario scenario)
    {
        if (_order is not null) return _order;
        string? recorded = ArrivalFrom is null ? null : Path.Combine(ArrivalFrom, ArrivalFile(scenario));
        if (recorded is not null && File.Exists(recorded))
        {
            var at = File.ReadLines(recorded).Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
            Console.WriteLine($"  reports in the order recorded in {recorded}");
            return scenario.Reports.OrderBy(r => at.GetValueOrDefault(r.ExternalId, int.MaxValue));
        }
        return ByOrganisation ? scenario.Reports.GroupBy(r => r.Organisation).OrderBy(g => g.Key).SelectMany(g => g) : scenario.Reports;
    }

    private static async Task<(CampaignReplay, List<double>, TimeSpan, CampaignState, CampaignEngine)> CampaignsAsync(Scenario scenario)
    {
        var state = new CampaignState(EmptyCampaignBackend.Instance);
        var engine = new CampaignEngine(state, CampaignSettings);
        var detected = new CampaignReplay();
        var times = new List<double>(scenario.Reports.Count);
        // The reports as the detector receives them (ids assigned), made before the clock starts.
        var reports = Arrival(scenario).Select(CampaignReplay.Report).ToList();
        long allocated = GC.GetTotalAllocatedBytes();
        var paused = GC.GetTotalPauseDuration();
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var replay = Stopwatch.StartNew();
        // As the service does: notices prepared on the other core ahead of the detector, which takes them in order.
        var prepared = reports.AsParallel().AsOrdered().WithMergeOptions(ParallelMergeOptions.AutoBuffered).Select(r =>
        {
            long start = Stopwatch.GetTimestamp();
            var notice = PreparedNotice.Of(r);
            return (Notice: notice, Work: Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        });
        int i = 0;
        double observing = 0, preparingAll = 0;
        long detectorAllocated = 0;
        foreach (var (notice, preparing) in prepared)
        {
            long start = Stopwatch.GetTimestamp();
            long before = GC.GetAllocatedBytesForCurrentThread();
            var events = await engine.ObserveAsync(notice, DateTimeOffset.UnixEpoch, CancellationToken.None);
            double observed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            detectorAllocated += GC.GetAllocatedBytesForCurrentThread() - before; // in memory, detection completes on this thread
            (observing, preparingAll) = (observing + observed, preparingAll + preparing);
            times.Add(preparing + observed);
            detected.Add(events, i);
            i++;
        }
        Calibration.Record(scenario, engine.Tested);
        var work = engine.Work;
        Console.WriteLine(string.Create(C, $"  work: detector busy {observing / 1000:F1} s of {replay.Elapsed.TotalSeconds:F1} s, notices prepared in {preparingAll / 1000:F1} s beside it; {work.Candidates / (double)work.Reports:F1} candidates weighed per report, {work.TextsCompared / work.Reports:F2} texts compared exactly; {(GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / work.Reports:F0} KB allocated per report ({detectorAllocated / 1024.0 / work.Reports:F1} KB by the detector); garbage collection paused {(GC.GetTotalPauseDuration() - paused).TotalSeconds:F1} s ({GC.CollectionCount(0) - collections[0]}/{GC.CollectionCount(1) - collections[1]}/{GC.CollectionCount(2) - collections[2]} collections of generations 0/1/2)"));
        return (detected, times, replay.Elapsed, state, engine);
    }

    /// <summary>
    /// Each reference burst (3 days, ≥ 3 SD) the detector missed, day by day from its start to the end of the tolerance: the
    /// family its country's budget was spread over that day and the threshold of the best rank, the slices holding one of
    /// its cells with their p-values, counts, expectations and baseline events, and what did pass; and any spike already
    /// open that shares a cell with it (which holds back a second one).
    /// </summary>
    private static void ExplainMissedSpikes(Scenario scenario, SeriesSet series, IReadOnlyList<SpikeEpisode> spikes)
    {
        var o = scenario.Options;
        bool Holds(Slice slice, PlantedSpike p) => p.Cells.Any(c => SpikeScoring.Contains(slice, c.Country, c.Platform, c.Category, c.SubjectType));
        foreach (var p in scenario.Spikes.Where(p => p.Start >= o.Start.AddDays(o.WarmUpDays) && SpikeScoring.IsReference(p)))
        {
            if (spikes.Any(d => Holds(d.Slice, p) && d.FirstAlarm >= p.Start && d.FirstAlarm <= p.End.AddDays(SpikeScoring.Tolerance))) continue;
            string country = p.Cells[0].Country;
            string cells = Cells(series, p);
            Console.WriteLine(string.Create(C, $"    missed burst {p.Index} {country} {p.Start:MM-dd}..{p.End:MM-dd}, {p.StandardDeviations:F1} SD{(p.InCivicPeriod ? ", in a civic period" : "")} ({VisibleTo(scenario, series, p)}): {cells}"));
            // What a test that knew each cell's true rate would give the burst's three days in its cells together (no
            // estimation, no weekday or news effects): the bound on what any valid test can reach.
            int burstCount = p.Cells.Sum(c => Enumerable.Range(0, p.Days).Sum(d =>
                series.Counts.GetValueOrDefault(new Slice(c.Country, c.Platform, c.Category, c.SubjectType)) is { } x && series.IndexOf(p.Start.AddDays(d)) is var i && i >= 0 && i < x.Length ? x[i] : 0));
            double burstMean = p.Cells.Sum(c => c.Rate) * p.Days;
            Console.WriteLine(string.Create(C, $"      known-rate Poisson p of the cells' {burstCount} incidents over the burst against {burstMean:F2} expected: {NegativeBinomialTail.AtLeast(burstCount, burstMean, double.PositiveInfinity):G2}"));
            RelatedSpikes(p, spikes);
            ExplainDays(scenario, series, p, p.End.AddDays(SpikeScoring.Tolerance));
        }
    }

    /// <summary>
    /// Of a scenario's reference bursts (3 days, 3 SD or more), how many a test that knew each cell's true rate could
    /// tell from chance within the false-alarm budget, and how many of those were found. The tail of the burst's
    /// incidents, its cells and days together, under the scenario's own model of each cell (its true rate and
    /// overdispersion) is the most any valid test can get from them (no rate to estimate, the cells and days given); the budget of 2 false alarms per country-year, spread over
    /// the country's slices each day (Bonferroni), sets the level it must reach. A burst of one takedown a day in a cell
    /// that sees one a month is 3 incidents: no test can raise it without raising chance triplets in every such cell.
    /// </summary>
    /// <remarks>
    /// The same test asked day by day gives the earliest day of a burst it could be told from chance (its first days
    /// alone against their known rate): no valid test raises a burst sooner, so the median of those days is the least
    /// median delay a detector can reach on the scenario's bursts within the budget.
    /// </remarks>
    internal static VisibleBurstCounts VisibleBursts(Scenario scenario, SeriesSet series, IReadOnlyList<DetectedSpike> detected, bool knownPopulation = false)
    {
        var o = scenario.Options;
        var result = new VisibleBurstCounts();
        foreach (var p in scenario.Spikes.Where(p => p.Start >= o.Start.AddDays(o.WarmUpDays) && SpikeScoring.IsReference(p)))
        {
            if ((knownPopulation ? EarliestVisibleInACell(scenario, series, p) : EarliestVisibleDay(series, p)) is not { } earliest) continue;
            var first = detected.Where(d => p.Cells.Any(c => SpikeScoring.Contains(d.Slice, c.Country, c.Platform, c.Category, c.SubjectType)) &&
                                            d.FirstAlarm >= p.Start && d.FirstAlarm <= p.End.AddDays(SpikeScoring.Tolerance))
                .Select(d => (int?)(d.FirstAlarm.DayNumber - p.Start.DayNumber)).Min();
            result.Add(earliest, first);
        }
        return result;
    }

    /// <summary>
    /// The first day of a burst (0: its first) by which the known-rate test of <see cref="VisibleBursts"/> tells its
    /// days so far from chance within the budget; null if it never does.
    /// </summary>
    private static int? EarliestVisibleDay(SeriesSet series, PlantedSpike p, Func<int, int, double>? tail = null)
    {
        string country = p.Cells[0].Country;
        int slices = series.Counts.Keys.Count(k => k.Country == country);
        double level = 2.0 / 365 / Math.Max(1, slices);
        int CountOver(int days) => p.Cells.Sum(c => CellCount(series, c, p.Start, p.Start.AddDays(days - 1)));
        tail ??= (days, observed) => KnownRateTail(observed, p.Cells.Select(c => (c.Rate * days, c.Size * days)).ToList());
        bool Visible(int days) => tail(days, CountOver(days)) <= level;
        return Enumerable.Range(1, p.Days).Where(Visible).Select(d => (int?)(d - 1)).FirstOrDefault();
    }

    /// <summary>The first day of a burst each reference test sees it, for <c>--explain</c>.</summary>
    private static string VisibleTo(Scenario scenario, SeriesSet series, PlantedSpike p) =>
        $"{(EarliestVisibleDay(series, p) is { } e ? $"a known-rate test: {e}" : "beyond a known-rate test")}, " +
        $"{(EarliestVisibleInACell(scenario, series, p) is { } k ? $"a known-population test: {k}" : "beyond a known-population test")}";

    private static int CellCount(SeriesSet series, Cell c, DateOnly from, DateOnly to)
    {
        if (series.Counts.GetValueOrDefault(new Slice(c.Country, c.Platform, c.Category, c.SubjectType)) is not { } x) return 0;
        int sum = 0;
        for (int i = Math.Max(0, series.IndexOf(from)); i <= Math.Min(x.Length - 1, series.IndexOf(to)); i++) sum += x[i];
        return sum;
    }

    /// <summary>
    /// The first day of a burst by which one of its cells, tested alone with <see cref="KnownPopulationTail"/>, is told
    /// from chance within the budget; null if none ever is. Unlike the known-rate test it is not told which cells the
    /// burst is in: a burst of one report a day in each of three quiet cells shows in no cell alone.
    /// </summary>
    private static int? EarliestVisibleInACell(Scenario scenario, SeriesSet series, PlantedSpike p) => p.Cells
        .Select(c => p with { Cells = [c] })
        .Select(one => EarliestVisibleDay(series, one, KnownPopulationTail(scenario, series, one)))
        .Where(d => d is not null).DefaultIfEmpty(null).Min();

    /// <summary>
    /// The tail a test gets that knows the rates of the country's cells but not which cell has which (all it could learn
    /// from the scenario's other cells, however many): each burst cell's rate is one of theirs, weighed by how likely each
    /// makes the cell's own count over every day before the burst, and its count over the burst's first days is judged
    /// against that mixture. (days, observed) → P(X ≥ observed) over the burst's cells together.
    /// </summary>
    private static Func<int, int, double> KnownPopulationTail(Scenario scenario, SeriesSet series, PlantedSpike p)
    {
        var atoms = scenario.Cells.Where(c => c.Country == p.Cells[0].Country).ToList();
        var before = p.Start.AddDays(-1);
        int days = Math.Max(0, series.IndexOf(p.Start));
        var weights = p.Cells.Select(c =>
        {
            int n = CellCount(series, c, series.Origin, before);
            var log = atoms.Select(a => LogNegativeBinomial(n, a.Rate * days, a.Size * days)).ToArray();
            double max = log.Max();
            var w = log.Select(l => Math.Exp(l - max)).ToArray();
            double total = w.Sum();
            return w.Select(x => x / total).ToArray();
        }).ToList();
        return (window, observed) => TailOfSum(observed, weights.Select(w =>
        {
            var mixture = new double[Math.Max(observed, 0)];
            for (int k = 0; k < atoms.Count; k++)
            {
                if (w[k] < 1e-15) continue;
                var pmf = NegativeBinomialBelow(observed, atoms[k].Rate * window, atoms[k].Size * window);
                for (int j = 0; j < mixture.Length; j++) mixture[j] += w[k] * pmf[j];
            }
            return mixture;
        }));
    }

    private static double LogNegativeBinomial(int n, double mean, double size) => mean <= 0 ? (n == 0 ? 0 : double.NegativeInfinity) :
        MathNet.Numerics.SpecialFunctions.GammaLn(n + size) - MathNet.Numerics.SpecialFunctions.GammaLn(size) - MathNet.Numerics.SpecialFunctions.GammaLn(n + 1)
        + size * Math.Log(size / (size + mean)) + n * Math.Log(mean / (size + mean));

    /// <summary>
    /// Reference bursts a test that knew each cell's rate could see within the budget: for each, the earliest day of the
    /// burst that test could (0: its first), and the day the detector raised it (null: missed).
    /// </summary>
    internal sealed class VisibleBurstCounts
    {
        public List<(int Earliest, int? Found)> Bursts { get; } = [];
        public int Visible => Bursts.Count;
        public int Found => Bursts.Count(b => b.Found is not null);
        public void Add(int earliest, int? found) => Bursts.Add((earliest, found));
    }

    /// <summary>
    /// P(X ≥ <paramref name="observed"/>) for a sum of independent negative-binomial counts, each given by its mean and
    /// size (a cell's days are independent draws of one NB, so their sum is NB with the means and sizes added), by
    /// convolving their probabilities below <paramref name="observed"/>.
    /// </summary>
    private static double KnownRateTail(int observed, IReadOnlyList<(double Mean, double Size)> counts) =>
        TailOfSum(observed, counts.Select(c => NegativeBinomialBelow(observed, c.Mean, c.Size)));

    /// <summary>P(X ≥ <paramref name="observed"/>) for a sum of independent counts, each given by its probabilities of 0 to observed − 1.</summary>
    private static double TailOfSum(int observed, IEnumerable<double[]> pmfs)
    {
        if (observed <= 0) return 1;
        var below = new double[observed];
        below[0] = 1;
        foreach (var pmf in pmfs)
        {
            var next = new double[observed];
            for (int i = 0; i < observed; i++)
                for (int j = 0; i + j < observed; j++) next[i + j] += below[i] * pmf[j];
            below = next;
        }
        return Math.Max(0, 1 - below.Sum());
    }

    /// <summary>A negative binomial's probabilities of 0 to <paramref name="count"/> − 1.</summary>
    private static double[] NegativeBinomialBelow(int count, double mean, double size)
    {
        var pmf = new double[Math.Max(count, 0)];
        if (count <= 0) return pmf;
        double q = mean / (size + mean);
        pmf[0] = Math.Exp(size * Math.Log(size / (size + mean)));
        for (int k = 1; k < count; k++) pmf[k] = pmf[k - 1] * (k - 1 + size) / k * q;
        return pmf;
    }

    /// <summary>The spikes that share a cell with <paramref name="p"/> and overlap it or the two weeks before it.</summary>
    private static void RelatedSpikes(PlantedSpike p, IReadOnlyList<SpikeEpisode> spikes)
    {
        foreach (var e in spikes.Where(e => e.Slice.Country == p.Cells[0].Country && e.Start <= p.End.AddDays(SpikeScoring.Tolerance) && e.End >= p.Start.AddDays(-14) && p.Cells.Any(c => SpikeDetector.Related(e.Slice, new Slice(c.Country, c.Platform, c.Category, c.SubjectType)))))
            Console.WriteLine(string.Create(C, $"      related spike {e.Slice.Key} {e.Start:MM-dd}..{e.End:MM-dd} first alarm {e.FirstAlarm:MM-dd} p {e.PValue:G2} {e.Method}"));
    }

    /// <summary>A planted spike's cells: rate, size, what was added a day, and the counts from 2 days before it.</summary>
    private static string Cells(SeriesSet series, PlantedSpike p) => string.Join("; ", p.Cells.Select((c, k) =>
    {
        var counts = series.Counts.GetValueOrDefault(new Slice(c.Country, c.Platform, c.Category, c.SubjectType)) ?? new int[series.Days];
        var around = Enumerable.Range(-2, 8).Select(d => series.IndexOf(p.Start.AddDays(d))).Where(i => i >= 0 && i < counts.Length).Select(i => counts[i]);
        // The baseline's days before the burst's guard as they are: their mean and variance, and the size those moments give.
        int start = series.IndexOf(p.Start);
        var before = Enumerable.Range(start - SpikeSettings.GuardDays - SpikeSettings.BaselineDays, SpikeSettings.BaselineDays)
            .Where(i => i >= 0 && i < counts.Length).Select(i => (double)counts[i]).ToList();
        double mean = before.DefaultIfEmpty(0).Average(), variance = before.Count < 2 ? 0 : before.Sum(x => (x - mean) * (x - mean)) / (before.Count - 1);
        string moments = string.Create(C, $"; {before.Count} days before: mean {mean:F2}, variance {variance:F2}, moment size {(variance > mean ? mean * mean / (variance - mean) : double.PositiveInfinity):F1}");
        return string.Create(C, $"{c.Platform}/{c.Category}/{c.SubjectType} rate {c.Rate:F3}/day size {c.Size:F1} +{p.Extra[k]}/day, counts from 2 days before: {string.Join(" ", around)}{moments}");
    }));

    /// <summary>
    /// The days from <paramref name="p"/>'s start to <paramref name="to"/> as the detector weighed them in its country: the
    /// family and the threshold of the best rank, what passed, and the slices holding one of its cells.
    /// </summary>
    private static void ExplainDays(Scenario scenario, SeriesSet series, PlantedSpike p, DateOnly to)
    {
        var o = scenario.Options;
        var settings = SpikeSettings;
        double q = settings.AlarmsPerCountryYear / 365.0;
        string country = p.Cells[0].Country;
        bool Excluded(string c, DateOnly day) => scenario.CivicPeriods.Any(x => x.Country == c && x.Start <= day && day <= x.End);
        bool Holds(Slice slice) => p.Cells.Any(c => SpikeScoring.Contains(slice, c.Country, c.Platform, c.Category, c.SubjectType));
        foreach (var day in new SpikeDetector(settings).Days(series, Excluded, p.Start, to, o.End.AddDays(1)).Where(d => d.Country == country))
        {
            Console.WriteLine(string.Create(C, $"      {day.Day:MM-dd}: family {day.Family}, best-rank threshold {q / day.Family:G2}; passed {string.Join(", ", day.Passed.Take(5).Select(a => $"{a.Slice.Key} p {a.PValue:G2}"))}"));
            foreach (var a in day.Assessed.Where(a => Holds(a.Slice)).OrderBy(a => a.PValue).Take(4))
            {
                int t = series.IndexOf(day.Day);
                int baseline = series.Counts[a.Slice].Skip(Math.Max(0, t - settings.GuardDays - settings.BaselineDays + 1)).Take(settings.BaselineDays).Sum();
                Console.WriteLine(string.Create(C, $"        {a.Slice.Key}: p {a.PValue:G2} ({a.Method}), {a.Observed} observed vs {a.Expected:F2} expected from {series.DayAt(a.Start):MM-dd}, ~{baseline} baseline events"));
            }
        }
    }

    /// <summary>
    /// Each planted spike found, one line each: its length and height, the spike whose first alarm found it, and the days
    /// from the planted start to that alarm (what the median days to detection is taken over).
    /// </summary>
    private static void ExplainDelays(Scenario scenario, SeriesSet series, IReadOnlyList<SpikeEpisode> spikes)
    {
        var o = scenario.Options;
        bool Holds(Slice slice, PlantedSpike p) => p.Cells.Any(c => SpikeScoring.Contains(slice, c.Country, c.Platform, c.Category, c.SubjectType));
        foreach (var p in scenario.Spikes.Where(p => p.Start >= o.Start.AddDays(o.WarmUpDays)))
        {
            var first = spikes.Where(d => Holds(d.Slice, p) && d.FirstAlarm >= p.Start && d.FirstAlarm <= p.End.AddDays(SpikeScoring.Tolerance))
                .OrderBy(d => d.FirstAlarm).FirstOrDefault();
            if (first is null) continue;
            Console.WriteLine(string.Create(C, $"    found burst {p.Index} {p.Cells[0].Country} {p.Start:MM-dd}..{p.End:MM-dd} ({p.Days} days, {p.StandardDeviations:F1} SD, {p.Cells.Count} cell{(p.Cells.Count == 1 ? "" : "s")}{(p.InCivicPeriod ? ", in a civic period" : "")}) after {first.FirstAlarm.DayNumber - p.Start.DayNumber} days ({VisibleTo(scenario, series, p)}): {first.Slice.Key} from {first.Start:MM-dd}, p {first.PValue:G2}, {first.Method}"));
            // Found two or more days in: its cells, and what the days before its first alarm looked like.
            if (first.FirstAlarm.DayNumber - p.Start.DayNumber < 2) continue;
            Console.WriteLine($"      {Cells(series, p)}");
            RelatedSpikes(p, spikes);
            ExplainDays(scenario, series, p, first.FirstAlarm.AddDays(-1));
        }
    }

    /// <summary>
    /// How often two notices on one platform within 24 hours are this alike (Jaccard of 5-shingles, texts of over 100
    /// characters once boilerplate is dropped): for a tenth of the pairs outside planted campaigns, against every pair
    /// within one. The text signal's weight should follow -ln of the first.
    /// </summary>
    private static async Task TextSimilarityAsync(Scenario scenario, CampaignState state)
    {
        var profiles = (await state.ProfilesAsync(scenario.Reports.Select(r => CampaignReplay.Report(r).ReportId), CancellationToken.None)).ToList();
        var campaignOf = scenario.Reports.ToDictionary(r => CampaignReplay.Report(r).ReportId, r => r.Campaign);
        double[] cuts = [0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7];
        long pairsNull = 0, pairsCampaign = 0;
        var nullAbove = new long[cuts.Length];
        var nullAboveOther = new long[cuts.Length];
        var campaignAbove = new long[cuts.Length];
        var random = new Random(1);
        foreach (var g in profiles.Where(p => p.SignatureValues() is not null && p.Text.Length > 100).GroupBy(p => p.Platform))
        {
            var list = g.OrderBy(p => p.OccurredAt).ToList();
            for (int i = 0; i < list.Count; i++)
            {
                bool sampled = random.NextDouble() < 0.1;
                var a = list[i];
                for (int j = i + 1; j < list.Count && list[j].OccurredAt - a.OccurredAt <= TimeSpan.FromHours(24); j++)
                {
                    var b = list[j];
                    var ca = campaignOf[a.Id];
                    var cb = campaignOf[b.Id];
                    bool same = ca is not null && ca == cb;
                    if (!same && !sampled) continue;
                    if (!same && (ca is not null || cb is not null)) continue;
                    double est = MinHash.Similarity(a.SignatureValues()!, b.SignatureValues()!);
                    double sim = est < 0.15 ? est : NoticeText.Jaccard(NoticeText.Shingles(a.Text), NoticeText.Shingles(b.Text));
                    if (same) pairsCampaign++; else pairsNull++;
                    for (int k = 0; k < cuts.Length; k++)
                        if (sim >= cuts[k])
                        {
                            if (same) campaignAbove[k]++;
                            else
                            {
                                nullAbove[k]++;
                                if (a.Claimant != b.Claimant) nullAboveOther[k]++;
                            }
                        }
                }
            }
        }
        Console.WriteLine($"    text similarity within 24 h on one platform: {pairsNull} pairs outside campaigns (sampled), {pairsCampaign} within");
        for (int k = 0; k < cuts.Length; k++)
            Console.WriteLine(string.Create(C, $"      >= {cuts[k]:F2}: outside {nullAbove[k] / (double)pairsNull:E2} (other claimants {nullAboveOther[k] / (double)pairsNull:E2}), within {campaignAbove[k] / (double)pairsCampaign:F3}"));
    }

    /// <summary>Each campaign raised where none was planted: what made it, and its reports weighed against each other.</summary>
    private static async Task ExplainFalseAsync(Scenario scenario, CampaignReplay replay, CampaignState state)
    {
        var planted = scenario.Reports.ToDictionary(r => r.ExternalId, r => r.Campaign);
        foreach (var c in replay.Standing())
        {
            if (c.Members.GroupBy(m => planted[m.ExternalId!]).Any(g => g.Key is not null && g.Count() * 2 >= c.Members.Count)) continue;
            Console.WriteLine(string.Create(C, $"    false campaign: {c.Members.Count} reports, score {c.Score:F1}, p {c.PValue:G3}; {string.Join("; ", c.Signals)}"));
            var profiles = (await state.ProfilesAsync(c.Members.Select(m => m.ReportId), CancellationToken.None)).OrderBy(p => p.OccurredAt).ToList();
            await WeighAsync(profiles, state);
        }
    }

    /// <summary>
    /// Why each missed campaign was missed, one line each: not linked (no cluster holds as many of its incidents as a
    /// cluster needs to be tested), or linked and tested but its smallest p-value above the level it was given.
    /// </summary>
    private static async Task WhyMissedAsync(Scenario scenario, IReadOnlyList<DetectedCampaign> detected, CampaignState state, CampaignEngine engine)
    {
        foreach (var c in scenario.Campaigns.Where(c => CampaignScoring.Counts(c) || CampaignScoring.RandomNamed(c)))
        {
            var ids = scenario.Reports.Where(r => r.Campaign == c.Index).Select(r => r.ExternalId).ToHashSet();
            if (detected.Any(d => d.ExternalIds.Count(ids.Contains) >= Math.Max(3, ids.Count / 2.0))) continue;
            var profiles = await state.ProfilesAsync(scenario.Reports.Where(r => ids.Contains(r.ExternalId)).Select(r => CampaignReplay.Report(r).ReportId), CancellationToken.None);
            var clusters = profiles.Where(p => p.ClusterId is not null).GroupBy(p => p.ClusterId!.Value).OrderByDescending(g => g.Count()).ToList();
            int largest = clusters.Count == 0 ? 0 : clusters[0].Count();
            var tests = engine.Tested.Where(t => clusters.Any(g => g.Key == t.ClusterId)).ToList();
            string why = tests.Count == 0
                ? $"not linked: its largest cluster holds {largest} of its {ids.Count} reports, none tested"
                : tests.MinBy(t => t.PValue / t.Level) is { } best
                    ? string.Create(C, $"linked ({largest} of {ids.Count} reports in one cluster), tested {tests.Count} times; closest: {best.Members} incidents, p {best.PValue:G2} (rise {best.Rise:G2}, bunching given links {best.Bunching:G2}) against level {best.Level:G2}")
                    : "";
            Console.WriteLine($"    why campaign {c.Index} was missed: {why}");
        }
    }

    /// <summary>
    /// Each missed campaign's reports in time order, each weighed against the three before it with the background as it
    /// stands after the replay: the gap, the texts' similarity, the weight against the window's threshold, what matched.
    /// </summary>
    private static async Task ExplainMissedAsync(Scenario scenario, IReadOnlyList<DetectedCampaign> detected, CampaignState state)
    {
        foreach (var c in scenario.Campaigns.Where(c => CampaignScoring.Counts(c) || CampaignScoring.RandomNamed(c)))
        {
            var ids = scenario.Reports.Where(r => r.Campaign == c.Index).Select(r => r.ExternalId).ToHashSet();
            if (detected.Any(d => d.ExternalIds.Count(ids.Contains) >= Math.Max(3, ids.Count / 2.0))) continue;
            var profiles = (await state.ProfilesAsync(scenario.Reports.Where(r => ids.Contains(r.ExternalId)).Select(r => CampaignReplay.Report(r).ReportId), CancellationToken.None))
                .OrderBy(p => p.OccurredAt).ToList();
            Console.WriteLine($"    campaign {c.Index} ({c.ClaimantStyle}, {c.EditRate:P0} edited):");
            await WeighAsync(profiles, state);
        }
    }

    /// <summary>
    /// Reports in time order, each weighed against the three before it with the background as it stands after the
    /// replay: the gap, the texts' similarity, the weight against the window's threshold, what matched.
    /// </summary>
    private static async Task WeighAsync(IReadOnlyList<NoticeProfile> profiles, CampaignState state)
    {
        for (int i = 0; i < profiles.Count; i++)
        {
            var a = profiles[i];
            var background = await state.BackgroundAsync(Background.KeysFor(a), CancellationToken.None);
            var w = SignalWeights.Of(a, background);
            var pairs = profiles.Take(i).TakeLast(3).Select(b =>
            {
                var e = Linking.Evidence(a, b, p => NoticeText.Shingles(p.Text), w);
                var gap = a.OccurredAt - b.OccurredAt;
                return string.Create(C, $"[{gap.TotalHours:F1} h sim {e.TextSimilarity:F2} w {e.Weight:F1}{(Linking.Links(e, gap) ? " LINK" : "")}{(e.Claimant is null ? "" : " " + e.Claimant)}{(e.Domain ? " domain" : "")}{(e.Policy ? " policy" : "")}]");
            });
            Console.WriteLine(string.Create(C, $"      {a.OccurredAt:MM-dd HH:mm} {a.Platform} text {a.Text.Length} chars, claimant {a.Claimant} ({w.Claimant(ClaimantGroup.Claimant):F1}/{w.Claimant(ClaimantGroup.Pattern):F1}), domain {a.Domain} ({w.Domain(ClaimantGroup.None):F1}), policy {w.Policy:F1}, crowding {w.Crowding:F1}, cluster {(a.ClusterId is null ? "-" : a.ClusterId.ToString()![..8])} {string.Join(" ", pairs)}"));
        }
    }
}
