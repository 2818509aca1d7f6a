using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Takedowns.Contracts.Analysis;
using Takedowns.Scenarios;
using Takedowns.Testing;

namespace Takedowns.Benchmarks;

/// <summary>
/// Detection quality and throughput of the running system: every service started as in production on the real
/// PostgreSQL and RabbitMQ, a generated scenario fed through the gateway's bulk import by one organisation per synthetic
/// organisation, and the spikes and campaigns read back through the analysis API once Correlation has caught up. Each
/// scenario (planted, then null) gets a fresh system, so nothing of one leaks into the other.
/// </summary>
public static partial class DetectionThroughApi
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(10);
    private const string CampaignLinkerName = Takedowns.Correlation.Campaigns.CampaignLinker.SubscriptionName;

    /// <param name="families">The scenario families to run (both unless told): every measure is printed per family.</param>
    public static async Task<int> RunAsync(int seeds, int countries, int days, int firstSeed = 1, IReadOnlyList<ScenarioFamily>? families = null)
    {
        foreach (var family in families ?? [ScenarioFamily.A, ScenarioFamily.B])
            await RunFamilyAsync(family, seeds, countries, days, firstSeed);
        return 0;
    }

    private static async Task RunFamilyAsync(ScenarioFamily family, int seeds, int countries, int days, int firstSeed)
    {
        // The scanner looks back from today: the scenario ends yesterday.
        var end = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        var options = FamilyMeasures.Options(family, Detection.Options(countries, days)) with { End = end };
        var measures = new FamilyMeasures(family);
        Console.WriteLine(string.Create(C, $"Detection through the API, scenario family {FamilyMeasures.Name(family)}: {seeds} planted and {seeds} null scenarios, {countries} countries, {days} days each, ending {end:yyyy-MM-dd}"));

        var spikes = new List<SpikeScore>();
        var nullSpikes = new List<SpikeScore>();
        var campaigns = new List<CampaignScore>();
        var nullCampaigns = new List<CampaignScore>();
        var rates = new List<double>();
        for (int seed = firstSeed; seed < firstSeed + seeds; seed++)
            foreach (bool isNull in new[] { false, true })
            {
                var o = options with { Seed = seed + (isNull ? 1000 : 0) };
                var scenario = ScenarioFamilies.Generate(family, isNull ? o.AsNull() : o);
                var (spikeScore, campaignScore, rate, detectedSpikes, detectedCampaigns) = await RunScenarioAsync(scenario, days);
                string spikeMeasures = measures.AddSpikes(scenario, detectedSpikes, spikeScore, isNull);
                var (_, baselineLine) = measures.AddCampaigns(scenario, detectedCampaigns, campaignScore, isNull);
                (isNull ? nullSpikes : spikes).Add(spikeScore);
                (isNull ? nullCampaigns : campaigns).Add(campaignScore);
                rates.Add(rate);
                Console.WriteLine(string.Create(C, $"  seed {seed}{(isNull ? " (null)" : "")}: {scenario.Reports.Count} reports, {rate:F0} reports/s from import to detection | spikes: {spikeScore}; {spikeMeasures} | campaigns: {campaignScore}"));
                Console.WriteLine($"    {baselineLine}");
                Detection.PrintMissed(campaignScore);
                if (!isNull) CompareWithReplay(scenario, detectedSpikes);
            }

        Console.WriteLine();
        Console.WriteLine($"Scenario family {FamilyMeasures.Name(family)}:");
        Console.WriteLine();
        Console.WriteLine("| measure (through intake and the API) | value | target |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(string.Create(C, $"| spikes: detection of 3-day bursts of ≥ 3 SD | {(double)spikes.Sum(s => s.ReferenceDetected) / spikes.Sum(s => s.Reference):P1} ({spikes.Sum(s => s.ReferenceDetected)}/{spikes.Sum(s => s.Reference)}) | ≥ 80 % |"));
        Console.WriteLine(string.Create(C, $"| spikes: false alarms per series-year, planted / null scenarios | {spikes.Sum(s => s.FalseAlarms) / spikes.Sum(s => s.SeriesYears):F3} / {nullSpikes.Sum(s => s.FalseAlarms) / nullSpikes.Sum(s => s.SeriesYears):F3} | ≤ 0.5 |"));
        measures.PrintSpikes();
        var referenceDelays = spikes.SelectMany(s => s.ReferenceDelays ?? []).Select(d => (double)d).ToList();
        var allDelays = spikes.SelectMany(s => s.Delays ?? []).Select(d => (double)d).ToList();
        Console.WriteLine(string.Create(C, $"| spikes: median days to detection, 3-day bursts of ≥ 3 SD / every planted spike found (pooled) | {Detection.Median(referenceDelays):F1} ({referenceDelays.Count}) / {Detection.Median(allDelays):F1} ({allDelays.Count}) | ≤ 1 |"));
        Console.WriteLine(string.Create(C, $"| campaigns: recall (≥ 5 reports, ≥ 2 shared signals) | {(double)campaigns.Sum(s => s.Recalled) / campaigns.Sum(s => s.Planted):P1} ({campaigns.Sum(s => s.Recalled)}/{campaigns.Sum(s => s.Planted)}) | ≥ 90 % |"));
        Console.WriteLine(string.Create(C, $"| campaigns: recall, randomised claimants, ≤ 20 % edits | {(double)campaigns.Sum(s => s.RandomNameRecalled) / Math.Max(1, campaigns.Sum(s => s.RandomNamePlanted)):P1} ({campaigns.Sum(s => s.RandomNameRecalled)}/{campaigns.Sum(s => s.RandomNamePlanted)}) | ≥ 80 % |"));
        Console.WriteLine(string.Create(C, $"| campaigns: B-cubed precision / recall / F1 (mean) | {campaigns.Average(s => s.BCubedPrecision):F3} / {campaigns.Average(s => s.BCubedRecall):F3} / {campaigns.Average(s => s.BCubedF1):F3} | F1 ≥ 0.85 |"));
        Console.WriteLine(string.Create(C, $"| campaigns: median reports in a campaign when raised | {Detection.Median(campaigns.Select(s => s.MedianReportsUntilDetection)):F1} | |"));
        Console.WriteLine(string.Create(C, $"| campaigns: false campaigns per 10,000 reports, null scenarios | {nullCampaigns.Sum(s => s.FalseCampaigns) * 10_000.0 / nullCampaigns.Sum(s => s.Reports):F2} | ≤ 1 |"));
        measures.PrintCampaigns(nullCampaigns);
        Console.WriteLine(string.Create(C, $"| whole pipeline (import, forwarding, series, campaign detection), median | {Detection.Median(rates):F0} reports/s | |"));
        Console.WriteLine();
    }

    private static async Task<(SpikeScore, CampaignScore, double, IReadOnlyList<DetectedSpike>, IReadOnlyList<DetectedCampaign>)> RunScenarioAsync(Scenario scenario, int days)
    {
        var settings = new Dictionary<string, string>
        {
            ["Detection:ScanInterval"] = ScanInterval.ToString("c", C),
            ["Detection:ScanDays"] = days.ToString(C),
        };
        var system = new RunningSystem { Settings = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["correlation"] = settings } };
        await system.InitializeAsync();
        try
        {
            using var http = system.Client();
            http.Timeout = TimeSpan.FromMinutes(10);
            var clock = Stopwatch.StartNew();
            await new ScenarioLoader(http, RunningSystem.AdminKey, TextWriter.Null).LoadAsync(scenario, CancellationToken.None);
            var (backlog, took) = await CaughtUpAsync(system.Schema("correlation"), scenario.Reports.Count);
            double rate = scenario.Reports.Count / clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(C, $"  {scenario.Reports.Count} reports in Correlation after {clock.Elapsed.TotalSeconds:F0} s; campaign detection's backlog once all were in: {backlog} reports in {took.TotalSeconds:F1} s ({backlog / Math.Max(took.TotalSeconds, 0.001):F0} reports/s)"));

            await ConsistencyAsync(system.Schema("correlation"), scenario);
            if (ArrivalDirectory is { } directory) await WriteArrivalAsync(system.Schema("correlation"), scenario, directory);
            using var analyst = system.Client(RunningSystem.AdminKey);
            var detectedSpikes = await StableSpikesAsync(analyst, scenario.Options);
            var detectedCampaigns = await CampaignsAsync(analyst);
            var o = scenario.Options;
            var spikeScore = SpikeScoring.Score(scenario, detectedSpikes, Detection.SeriesCount(scenario), o.Start.AddDays(o.WarmUpDays), o.End);
            return (spikeScore, CampaignScoring.Score(scenario, detectedCampaigns), rate, detectedSpikes, detectedCampaigns);
        }
        catch
        {
            Console.Error.WriteLine(system.RecentOutput);
            throw;
        }
        finally
        {
            await system.DisposeAsync();
        }
    }

    /// <summary>
    /// Each planted spike as the running system found it beside what the detector finds replaying the same scenario in
    /// process (each day in turn): the first alarm that finds it in each, so a difference between the two is seen.
    /// </summary>
    private static void CompareWithReplay(Scenario scenario, IReadOnlyList<DetectedSpike> throughApi)
    {
        var o = scenario.Options;
        var replayed = Detection.SpikesOf(scenario).Select(e => new DetectedSpike(e.Slice, e.Start, e.End, e.FirstAlarm)).ToList();
        foreach (var p in scenario.Spikes.Where(p => p.Start >= o.Start.AddDays(o.WarmUpDays)).OrderBy(p => p.Start))
        {
            string First(IReadOnlyList<DetectedSpike> found) =>
                found.Where(d => p.Cells.Any(c => SpikeScoring.Contains(d.Slice, c.Country, c.Platform, c.Category, c.SubjectType)) &&
                                 d.FirstAlarm >= p.Start && d.FirstAlarm <= p.End.AddDays(SpikeScoring.Tolerance))
                    .OrderBy(d => d.FirstAlarm).FirstOrDefault() is { } d
                    ? string.Create(C, $"day {d.FirstAlarm.DayNumber - p.Start.DayNumber} ({d.Slice.Key} from {d.Start:MM-dd})")
                    : "missed";
            Console.WriteLine(string.Create(C, $"    planted {p.Index} {p.Cells[0].Country} {p.Start:yyyy-MM-dd} ({p.Days} days, {p.StandardDeviations:F1} SD, {p.Cells.Count} cells): through the API {First(throughApi)}; replayed {First(replayed)}"));
        }
    }

    /// <summary>
    /// Waits until Correlation holds every report and each of its projections and subscriptions has processed all its
    /// events; returns how many reports campaign detection still had to process once the last report was in, and how
    /// long that took (its rate on PostgreSQL with the machine no longer busy taking reports in).
    /// </summary>
    private static async Task<(long Backlog, TimeSpan Took)> CaughtUpAsync(string schema, int reports)
    {
        var deadline = Stopwatch.StartNew();
        Stopwatch? sinceIn = null;
        long backlog = 0;
        while (true)
        {
            long observed = await Database.ScalarAsync($"select count(*) from {schema}.mt_events where type = 'report_observed'");
            long last = await Database.ScalarAsync($"select coalesce(max(seq_id), 0) from {schema}.mt_events");
            long slowest = await Database.ScalarAsync($"select coalesce(min(last_seq_id), 0) from {schema}.mt_event_progression where name like '%:%'");
            if (observed >= reports && sinceIn is null)
            {
                sinceIn = Stopwatch.StartNew();
                backlog = await Database.ScalarAsync($"""
                    select count(*) from {schema}.mt_events where type = 'report_observed' and seq_id > (
                      select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name like '{CampaignLinkerName}:%')
                    """);
            }
            if (observed >= reports && slowest >= last) return (backlog, sinceIn!.Elapsed);
            if (deadline.Elapsed > TimeSpan.FromMinutes(60))
                throw new TimeoutException($"Correlation did not catch up: {observed}/{reports} reports, progress {slowest}/{last}");
            await Task.Delay(500);
        }
    }

    /// <summary>Where to write, per scenario, the order in which Correlation took its reports (<c>--arrival-out</c>); none if null.</summary>
    public static string? ArrivalDirectory { get; set; }

    /// <summary>
    /// The external ids of a scenario's reports in the order Correlation recorded them, one a line, in a file named by its
    /// seed and size: the in-process replay takes them in that order with <c>--arrival-from</c>, to see what the
    /// running system saw.
    /// </summary>
    private static async Task WriteArrivalAsync(string schema, Scenario scenario, string directory)
    {
        var order = await Database.ColumnAsync($"select data ->> 'externalId' from {schema}.mt_events where type = 'report_observed' order by seq_id");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, Detection.ArrivalFile(scenario));
        await File.WriteAllLinesAsync(path, order);
        Console.WriteLine($"  arrival order written to {path}");
    }

    /// <summary>What Correlation holds against what was sent: every report observed, profiled for campaign detection and counted once per incident.</summary>
    internal static async Task ConsistencyAsync(string schema, Scenario scenario)
    {
        long observed = await Database.ScalarAsync($"select count(*) from {schema}.mt_events where type = 'report_observed'");
        long profiled = await Database.ScalarAsync($"select count(*) from {schema}.mt_doc_noticeprofile");
        long indexed = await Database.ScalarAsync($"select count(distinct report_id) from {schema}.{Takedowns.Correlation.Campaigns.PostgresCampaignBackend.Keys}");
        long incidents = await Database.ScalarAsync($"select count(*) from {schema}.mt_events where type = 'incident_observed'");
        long counted = await Database.ScalarAsync($"select coalesce(sum((data ->> 'count')::bigint), 0) from {schema}.mt_doc_sliceday where data ->> 'platform' is not null");
        long inEvents = await Database.ScalarAsync($"""
            select count(distinct m) from (
              select jsonb_array_elements(data -> 'members') ->> 'reportId' m from {schema}.mt_events where type in ('campaign_raised', 'campaign_absorbed')
              union all select data -> 'member' ->> 'reportId' from {schema}.mt_events where type = 'campaign_report_linked') x
            """);
        long inDocuments = await Database.ScalarAsync($"select count(distinct m) from (select jsonb_array_elements(data -> 'members') ->> 'reportId' m from {schema}.mt_doc_campaign) x");
        Console.WriteLine(string.Create(C, $"  sent {scenario.Reports.Count} reports: {observed} observed, {profiled} profiled, {indexed} indexed for candidates; {incidents} incidents observed, {counted} counted in the series; {inEvents} reports in campaign events, {inDocuments} in campaign documents"));
    }

    /// <summary>Spikes once the scanner has run over the caught-up series: read until two scans in a row give the same answer.</summary>
    private static async Task<IReadOnlyList<DetectedSpike>> StableSpikesAsync(HttpClient analyst, ScenarioOptions o)
    {
        // A scan is followed by a pause twice its length: three equal answers 20 s apart span more than one whole scan.
        await Task.Delay(ScanInterval * 3);
        var previous = await SpikesAsync(analyst, o);
        int same = 1;
        for (int attempt = 0; attempt < 60 && same < 3; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(20));
            var current = await SpikesAsync(analyst, o);
            same = current.SequenceEqual(previous) ? same + 1 : 1;
            previous = current;
        }
        if (same >= 3) return previous;
        throw new TimeoutException("The spikes kept changing after Correlation had caught up");
    }

    internal static async Task<List<DetectedSpike>> SpikesAsync(HttpClient analyst, ScenarioOptions o)
    {
        var spikes = new List<DetectedSpike>();
        string? cursor = null;
        do
        {
            string path = $"/api/analysis/spikes?from={o.Start:yyyy-MM-dd}&to={o.End:yyyy-MM-dd}&limit=500" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await analyst.GetFromJsonAsync<SpikePage>(path, ScenarioFiles.Json) ?? throw new InvalidOperationException("no spikes page");
            spikes.AddRange(page.Items.Select(s => new DetectedSpike(s.Slice, s.Start, s.End, s.FirstAlarm)));
            cursor = page.Next;
        } while (cursor is not null);
        return spikes;
    }

    /// <summary>Every suspected campaign with its reports; those linked after it was raised are told apart by its timeline.</summary>
    internal static async Task<IReadOnlyList<DetectedCampaign>> CampaignsAsync(HttpClient analyst)
    {
        var campaigns = new List<DetectedCampaign>();
        string? cursor = null;
        do
        {
            string path = "/api/analysis/campaigns?status=suspected&limit=500" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await analyst.GetFromJsonAsync<CampaignPage>(path, ScenarioFiles.Json) ?? throw new InvalidOperationException("no campaigns page");
            foreach (var summary in page.Items)
            {
                var detail = await analyst.GetFromJsonAsync<CampaignDetail>($"/api/analysis/campaigns/{summary.CampaignId}", ScenarioFiles.Json)
                             ?? throw new InvalidOperationException($"campaign {summary.CampaignId} not found");
                var members = detail.Reports.Select(r => r.ExternalId!).ToHashSet();
                var linkedLater = detail.Timeline.Select(t => LinkedReport().Match(t.What)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
                campaigns.Add(new DetectedCampaign(members, 0, members.Where(m => !linkedLater.Contains(m)).ToHashSet()));
            }
            cursor = page.Next;
        } while (cursor is not null);
        return campaigns;
    }

    [GeneratedRegex("^Report (.+) linked$")]
    private static partial Regex LinkedReport();

    private sealed record SpikePage(IReadOnlyList<SpikeItem> Items, string? Next);
    private sealed record SpikeItem(Slice Slice, DateOnly Start, DateOnly End, DateOnly FirstAlarm);
    private sealed record CampaignPage(IReadOnlyList<CampaignItem> Items, string? Next);
    private sealed record CampaignItem(Guid CampaignId);
    private sealed record CampaignDetail(IReadOnlyList<CampaignReport> Reports, IReadOnlyList<TimelineItem> Timeline);
    private sealed record CampaignReport(string? ExternalId);
    private sealed record TimelineItem(string What);
}
