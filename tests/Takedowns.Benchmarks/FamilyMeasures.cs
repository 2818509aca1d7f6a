using System.Globalization;
using Takedowns.Scenarios;
using Takedowns.Scenarios.FamilyB;

namespace Takedowns.Benchmarks;

/// <summary>
/// The measures both detection benchmarks print per scenario family beside the first ones: spike alarms per country-year
/// over every slice and method (what a person reads), planted spikes found in history, campaign recall on look-alike
/// letters, false campaigns on planted scenarios, and the naive baseline's scores beside the detector's.
/// </summary>
public sealed class FamilyMeasures(ScenarioFamily family)
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>How far back a spike must start to count as found in history.</summary>
    public const int HistoryDays = FamilyBGenerator.HistoryDays;

    /// <summary>The warm-up family B's scenarios are generated with: short enough to leave history before the last 120 days.</summary>
    public const int FamilyBWarmUpDays = 56;

    public ScenarioFamily Family { get; } = family;
    private int _falseAlarms, _falseAlarmsNull;
    private double _countryYears, _countryYearsNull;
    private int _history, _historyFound, _historyReference, _historyReferenceFound;
    private int _lookAlike, _lookAlikeFound, _lookAlikeBaseline;
    public List<CampaignScore> Baseline { get; } = [];
    public List<CampaignScore> BaselineNull { get; } = [];
    public List<CampaignScore> Detector { get; } = [];

    /// <summary>The options a family's scenarios are generated with.</summary>
    public static ScenarioOptions Options(ScenarioFamily family, ScenarioOptions options) => family switch
    {
        ScenarioFamily.B => options with { WarmUpDays = Math.Min(options.WarmUpDays, FamilyBWarmUpDays) },
        ScenarioFamily.C => options with { WarmUpDays = Math.Min(options.WarmUpDays, Takedowns.Scenarios.FamilyC.FamilyCGenerator.WarmUpDays) },
        _ => options,
    };

    public static string Name(ScenarioFamily family) => family.ToString().ToLowerInvariant();

    /// <summary>Spike alarms not explained by anything planted or organic, per country and year looked at; and history found.</summary>
    public string AddSpikes(Scenario scenario, IReadOnlyList<DetectedSpike> detected, SpikeScore score, bool isNull)
    {
        var o = scenario.Options;
        var from = o.Start.AddDays(o.WarmUpDays);
        double countryYears = scenario.Reports.Select(r => r.Country).Distinct().Count() * (o.End.DayNumber - from.DayNumber + 1) / 365.25;
        if (isNull) (_falseAlarmsNull, _countryYearsNull) = (_falseAlarmsNull + score.FalseAlarms, _countryYearsNull + countryYears);
        else (_falseAlarms, _countryYears) = (_falseAlarms + score.FalseAlarms, _countryYears + countryYears);

        var history = scenario.Spikes.Where(p => p.Start >= from && p.Start.DayNumber < o.End.DayNumber - HistoryDays).ToList();
        int found = 0, reference = 0, referenceFound = 0;
        foreach (var p in history)
        {
            bool hit = detected.Any(d => p.Cells.Any(c => SpikeScoring.Contains(d.Slice, c.Country, c.Platform, c.Category, c.SubjectType)) &&
                                        d.FirstAlarm >= p.Start && d.FirstAlarm <= p.End.AddDays(SpikeScoring.Tolerance));
            if (hit) found++;
            if (SpikeScoring.IsReference(p)) reference++;
            if (SpikeScoring.IsReference(p) && hit) referenceFound++;
        }
        (_history, _historyFound, _historyReference, _historyReferenceFound) =
            (_history + history.Count, _historyFound + found, _historyReference + reference, _historyReferenceFound + referenceFound);
        return string.Create(C, $"{score.FalseAlarms / countryYears:F1} false alarms per country-year; in history (> {HistoryDays} days back) {found}/{history.Count}");
    }

    /// <summary>The naive baseline on a scenario, scored as the detector is; and the detector's recall on look-alike letters.</summary>
    public (CampaignScore Baseline, string Line) AddCampaigns(Scenario scenario, IReadOnlyList<DetectedCampaign> detected, CampaignScore detector, bool isNull)
    {
        var baselineFound = NaiveBaseline.Detect(scenario);
        var baseline = CampaignScoring.Score(scenario, baselineFound);
        (isNull ? BaselineNull : Baseline).Add(baseline);
        if (!isNull) Detector.Add(detector);
        var lookAlike = scenario.Campaigns.Where(c => c.LookAlikeLetters && CampaignScoring.Counts(c)).ToList();
        int found = lookAlike.Count(c => Recalled(scenario, c, detected)), baselineHits = lookAlike.Count(c => Recalled(scenario, c, baselineFound));
        (_lookAlike, _lookAlikeFound, _lookAlikeBaseline) = (_lookAlike + lookAlike.Count, _lookAlikeFound + found, _lookAlikeBaseline + baselineHits);
        return (baseline, string.Create(C,
            $"naive baseline: recall {baseline.Recalled}/{baseline.Planted}, random claimants {baseline.RandomNameRecalled}/{baseline.RandomNamePlanted}, " +
            $"B-cubed F1 {baseline.BCubedF1:F3}, false campaigns {baseline.FalseCampaigns} ({baseline.FalsePer10000:F2} per 10,000); " +
            $"look-alike letters: detector {found}/{lookAlike.Count}, baseline {baselineHits}/{lookAlike.Count}"));
    }

    /// <summary>Found as the scoring finds it: a detected campaign holding at least half its reports (and at least 3).</summary>
    private static bool Recalled(Scenario scenario, PlantedCampaign c, IReadOnlyList<DetectedCampaign> detected)
    {
        var members = scenario.Reports.Where(r => r.Campaign == c.Index).Select(r => r.ExternalId).ToHashSet();
        return detected.Any(d => d.ExternalIds.Count(members.Contains) >= Math.Max(3, members.Count / 2.0));
    }

    public void PrintSpikes()
    {
        Console.WriteLine(string.Create(C, $"| spikes: false alarms per country-year, every slice and method, planted / null scenarios | {_falseAlarms / _countryYears:F1} / {_falseAlarmsNull / _countryYearsNull:F1} | ≤ 2 |"));
        Console.WriteLine(string.Create(C, $"| spikes: found in history (starting > {HistoryDays} days before the end), all / 3-day ≥ 3 SD | {_historyFound}/{_history} / {_historyReferenceFound}/{_historyReference} | ≥ 80 % |"));
    }

    public void PrintCampaigns(IReadOnlyList<CampaignScore> nullDetector)
    {
        int planted = Detector.Sum(s => s.Planted), reports = Detector.Sum(s => s.Reports);
        Console.WriteLine(string.Create(C, $"| campaigns: recall with look-alike letters (≥ 5 reports, ≥ 2 shared signals), detector / baseline | {_lookAlikeFound}/{_lookAlike} / {_lookAlikeBaseline}/{_lookAlike} | ≥ 80 % |"));
        Console.WriteLine(string.Create(C, $"| campaigns: false campaigns per 10,000 reports, planted scenarios | {Detector.Sum(s => s.FalseCampaigns) * 10_000.0 / Math.Max(1, reports):F2} | ≤ 1 |"));
        Console.WriteLine(string.Create(C, $"| naive baseline (Jaccard ≥ {NaiveBaseline.Threshold} of casefolded word sets, 72 h, Poisson vs its text family, α {NaiveBaseline.Alpha:G}): recall | {(double)Baseline.Sum(s => s.Recalled) / Math.Max(1, Baseline.Sum(s => s.Planted)):P1} ({Baseline.Sum(s => s.Recalled)}/{Baseline.Sum(s => s.Planted)}); detector {Detector.Sum(s => s.Recalled)}/{planted} | detector ahead |"));
        Console.WriteLine(string.Create(C, $"| naive baseline: recall, randomised claimants, ≤ 20 % edits | {Baseline.Sum(s => s.RandomNameRecalled)}/{Baseline.Sum(s => s.RandomNamePlanted)} | |"));
        Console.WriteLine(string.Create(C, $"| naive baseline: B-cubed precision / recall / F1 (mean) | {Baseline.Average(s => s.BCubedPrecision):F3} / {Baseline.Average(s => s.BCubedRecall):F3} / {Baseline.Average(s => s.BCubedF1):F3} | |"));
        Console.WriteLine(string.Create(C, $"| naive baseline: false campaigns per 10,000 reports, planted / null scenarios | {Baseline.Sum(s => s.FalseCampaigns) * 10_000.0 / Math.Max(1, Baseline.Sum(s => s.Reports)):F2} / {BaselineNull.Sum(s => s.FalseCampaigns) * 10_000.0 / Math.Max(1, BaselineNull.Sum(s => s.Reports)):F2}; detector {Detector.Sum(s => s.FalseCampaigns) * 10_000.0 / Math.Max(1, reports):F2} / {nullDetector.Sum(s => s.FalseCampaigns) * 10_000.0 / Math.Max(1, nullDetector.Sum(s => s.Reports)):F2} | detector below |"));
    }
}
