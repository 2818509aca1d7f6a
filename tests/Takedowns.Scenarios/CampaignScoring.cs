namespace Takedowns.Scenarios;

/// <summary>
/// A campaign as a detector reported it: its reports (by external id), and how many reports had arrived when it was raised;
/// or, read back from the API where arrival order is the import's, the reports it was raised with.
/// </summary>
public sealed record DetectedCampaign(IReadOnlySet<string> ExternalIds, int RaisedAfter, IReadOnlySet<string>? RaisedWith = null);

public sealed record CampaignScore(
    int Planted, int Recalled, int RandomNamePlanted, int RandomNameRecalled, double BCubedPrecision, double BCubedRecall,
    int FalseCampaigns, int Reports, double MedianReportsUntilDetection, IReadOnlyList<string>? Missed = null,
    int ReportsInFalseCampaigns = 0, int OthersInTrueCampaigns = 0, IReadOnlyList<(double EditRate, bool Found)>? ByEditRate = null)
{
    public double Recall => Planted == 0 ? double.NaN : (double)Recalled / Planted;
    public double RandomNameRecall => RandomNamePlanted == 0 ? double.NaN : (double)RandomNameRecalled / RandomNamePlanted;
    public double BCubedF1 => BCubedPrecision + BCubedRecall == 0 ? 0 : 2 * BCubedPrecision * BCubedRecall / (BCubedPrecision + BCubedRecall);
    public double FalsePer10000 => Reports == 0 ? 0 : FalseCampaigns * 10_000.0 / Reports;

    public override string ToString() =>
        $"recall {Recalled}/{Planted} ({Recall:P0}); random claimants, edits <= 20 %: {RandomNameRecalled}/{RandomNamePlanted} ({RandomNameRecall:P0}); " +
        $"B-cubed precision {BCubedPrecision:F3} recall {BCubedRecall:F3} F1 {BCubedF1:F3}; false campaigns {FalseCampaigns} ({FalsePer10000:F2} per 10,000 reports); " +
        $"median reports until detection {MedianReportsUntilDetection:F1}; {ReportsInFalseCampaigns} reports in false campaigns, " +
        $"{OthersInTrueCampaigns} in true ones that are not of their planted campaign";
}

public static class CampaignScoring
{
    /// <summary>
    /// Planted campaigns the main target speaks of: at least 5 reports sharing at least two distinctive signals (the notice
    /// text and a claimant, a claimant name pattern or a claimed-original domain).
    /// </summary>
    public static bool Counts(PlantedCampaign c) => c.Size >= 5 && c.SharedSignals.Count(s => s is not "policy cited") >= 2;

    /// <summary>The second target: at least 5 reports, claimants randomised, at most a fifth of the text edited.</summary>
    public static bool RandomNamed(PlantedCampaign c) => c.Size >= 5 && c.ClaimantStyle == "random names" && c.EditRate <= 0.20;

    public static CampaignScore Score(Scenario scenario, IReadOnlyList<DetectedCampaign> detected)
    {
        var arrival = scenario.Reports.Select((r, i) => (r.ExternalId, i)).ToDictionary(p => p.ExternalId, p => p.i);
        var truth = scenario.Reports.Where(r => r.Campaign is not null).GroupBy(r => r.Campaign!.Value)
            .ToDictionary(g => g.Key, g => g.Select(r => r.ExternalId).ToHashSet());
        var campaignOf = scenario.Reports.Where(r => r.Campaign is not null).ToDictionary(r => r.ExternalId, r => r.Campaign!.Value);

        int planted = 0, recalled = 0, randomPlanted = 0, randomRecalled = 0;
        var untilDetection = new List<int>();
        var missed = new List<string>();
        var byEditRate = new List<(double, bool)>();
        foreach (var c in scenario.Campaigns.Where(c => Counts(c) || RandomNamed(c)))
        {
            var members = truth[c.Index];
            bool main = Counts(c), random = RandomNamed(c);
            if (main) planted++;
            if (random) randomPlanted++;
            var found = detected.Where(d => d.ExternalIds.Count(members.Contains) >= Math.Max(3, members.Count / 2.0)).OrderBy(d => d.RaisedAfter).FirstOrDefault();
            byEditRate.Add((c.EditRate, found is not null));
            if (found is null)
            {
                missed.Add(Describe(c, members, detected));
                continue;
            }
            if (main) recalled++;
            if (random) randomRecalled++;
            untilDetection.Add(found.RaisedWith is { } raisedWith ? members.Count(raisedWith.Contains) : members.Count(m => arrival[m] <= found.RaisedAfter));
        }

        // B-cubed over the reports of planted campaigns (recall) and of detected campaigns (precision).
        double TruthOverlap(string id, IReadOnlySet<string> cluster) =>
            campaignOf.TryGetValue(id, out var c) ? cluster.Count(truth[c].Contains) : 1;
        var detectedOf = new Dictionary<string, IReadOnlySet<string>>();
        foreach (var d in detected)
            foreach (var id in d.ExternalIds) detectedOf.TryAdd(id, d.ExternalIds);
        var inDetected = detected.SelectMany(d => d.ExternalIds).Distinct().ToList();
        double precision = inDetected.Count == 0 ? 1 : inDetected.Average(id => TruthOverlap(id, detectedOf[id]) / detectedOf[id].Count);
        var inPlanted = scenario.Campaigns.Where(Counts).SelectMany(c => truth[c.Index]).ToList();
        double recall = inPlanted.Count == 0 ? 1 : inPlanted.Average(id =>
            detectedOf.TryGetValue(id, out var d) ? (double)d.Count(truth[campaignOf[id]].Contains) / truth[campaignOf[id]].Count : 1.0 / truth[campaignOf[id]].Count);

        // A detected campaign is true when most of it is one planted campaign; what else it holds lowers precision as the
        // reports of false campaigns do.
        var truthOf = detected.Select(d => truth.Values.FirstOrDefault(t => d.ExternalIds.Count(t.Contains) * 2 > d.ExternalIds.Count)).ToList();
        int falseCampaigns = truthOf.Count(t => t is null);
        var judged = detected.Zip(truthOf).ToList();
        int inFalse = judged.Where(j => j.Second is null).Sum(j => j.First.ExternalIds.Count);
        int othersInTrue = judged.Where(j => j.Second is not null).Sum(j => j.First.ExternalIds.Count(id => !j.Second!.Contains(id)));
        untilDetection.Sort();
        return new CampaignScore(planted, recalled, randomPlanted, randomRecalled, precision, recall, falseCampaigns, scenario.Reports.Count,
            untilDetection.Count == 0 ? double.NaN : untilDetection[untilDetection.Count / 2], missed, inFalse, othersInTrue, byEditRate);
    }

    /// <summary>A missed campaign in words: what was planted, and how much of it the closest detected campaign held.</summary>
    private static string Describe(PlantedCampaign c, IReadOnlySet<string> members, IReadOnlyList<DetectedCampaign> detected)
    {
        int best = detected.Count == 0 ? 0 : detected.Max(d => d.ExternalIds.Count(members.Contains));
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"campaign {c.Index}: {members.Count} reports on {c.Platform} over {(c.End - c.Start).TotalHours:F1} h, {c.ClaimantStyle}, {c.EditRate:P0} edited, {c.CyrillicShare:P0} Cyrillic, sharing {string.Join(", ", c.SharedSignals)}; best detected overlap {best}");
    }
}
