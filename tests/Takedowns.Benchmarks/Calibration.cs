using System.Globalization;
using Takedowns.Correlation.Campaigns;
using Takedowns.Scenarios;

namespace Takedowns.Benchmarks;

/// <summary>
/// Whether campaign detection's p-values mean what they say: on scenarios with nothing planted, the p-values of the
/// clusters tested should be about uniform, and never smaller than uniform ones in the lower tail (which would raise
/// false campaigns more often than the level says). Prints the Kolmogorov-Smirnov distance from uniform, each side of
/// it, and a QQ table, for the cluster's p-value and each of its two tests.
/// </summary>
public static class Calibration
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly List<CandidateTest> Null = [], Planted = [];
    private static readonly double[] Quantiles = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5];

    private static readonly List<CandidateTest> NullSmall = [];
    private static readonly List<Scenario> NullScenarios = [];

    /// <summary>Keeps the clusters a scenario's detection tested (null scenarios are those with no campaign planted).</summary>
    public static void Record(Scenario scenario, IReadOnlyList<CandidateTest> tested)
    {
        (scenario.Options.Campaigns == 0 ? Null : Planted).AddRange(tested);
        if (scenario.Options.Campaigns == 0) NullScenarios.Add(scenario);
    }

    /// <summary>
    /// Prints the check. Null scenarios may hold few clusters of the size tested, so their reports are run through
    /// detection once more testing every cluster from two reports on (the tests do not depend on the size; only how many
    /// clusters are tested does).
    /// </summary>
    public static async Task PrintAsync()
    {
        foreach (var scenario in NullScenarios)
        {
            var state = new CampaignState(EmptyCampaignBackend.Instance);
            var engine = new CampaignEngine(state, Detection.CampaignSettings with { MinMembers = 2 });
            foreach (var report in scenario.Reports.Select(Takedowns.Scenarios.Replay.CampaignReplay.Report))
                await engine.ObserveAsync(report, DateTimeOffset.UnixEpoch, CancellationToken.None);
            NullSmall.AddRange(engine.Tested);
            if (Environment.GetEnvironmentVariable("CALIBRATION_DEBUG") is not null)
                foreach (var t in engine.Tested.Where(t => t.PValue <= 0.001).Take(30))
                {
                    Console.WriteLine(string.Create(C, $"    null cluster at p {t.PValue:G3}: {t.Members} incidents, bunching {t.Bunching:G3}, rise {t.Rise:G3}"));
                    if (await state.ClusterAsync(t.ClusterId, CancellationToken.None) is not { } cluster) continue;
                    foreach (var m in (await state.ProfilesAsync(cluster.Members.Take(6), CancellationToken.None)).OrderBy(m => m.OccurredAt))
                        Console.WriteLine(string.Create(C, $"      {m.OccurredAt:MM-dd HH:mm} {m.Platform} {m.PolicyKey} incident {m.IncidentId?.ToString()[..8]} claimant {m.Claimant} domain {m.Domain} text {m.Text[..Math.Min(80, m.Text.Length)]}"));
                }
        }
        Print();
        if (NullSmall.Count > 0)
        {
            Console.WriteLine(string.Create(C, $"Null scenarios again, every cluster tested from 2 reports on: {NullSmall.Count} clusters tested ({NullSmall.Count(t => t.Members >= 4)} of 4 or more), {NullSmall.Count(t => t.Raised)} raised"));
            Table(NullSmall);
            foreach (int least in new[] { 3, Detection.CampaignSettings.MinMembers })
            {
                var larger = NullSmall.Where(t => t.Members >= least).ToList();
                if (larger.Count == 0) continue;
                Console.WriteLine(string.Create(C, $"The same, clusters of {least} incidents or more: {larger.Count}"));
                Table(larger);
            }
        }
        // Each scenario family prints its own check.
        Null.Clear();
        Planted.Clear();
        NullSmall.Clear();
        NullScenarios.Clear();
    }

    private static void Print()
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(C, $"Calibration: {Null.Count} clusters tested on null scenarios ({Null.Count(t => t.Raised)} raised), {Planted.Count} on planted ones ({Planted.Count(t => t.Raised)} raised); levels given on null {Describe(Null.Select(t => t.Level))}"));
        if (Environment.GetEnvironmentVariable("CALIBRATION_DEBUG") is not null)
            foreach (var t in Planted) Console.WriteLine(string.Create(C, $"    tested {t.ClusterId:N}: {t.Members} members, bunching {t.Bunching:G3}, rise {t.Rise:G3}, level {t.Level:G3}{(t.Raised ? " RAISED" : "")}"));
        if (Null.Count == 0) return;
        Table(Null);
    }

    private static void Table(IReadOnlyList<CandidateTest> tested)
    {
        var columns = new (string Name, double[] Values)[]
        {
            ("p (the decision)", tested.Select(t => t.PValue).ToArray()),
            ("bunching in time, given its links", tested.Select(t => t.Bunching).ToArray()),
            ("rise of its family", tested.Select(t => t.Rise).ToArray()),
        };
        Console.WriteLine("| null scenarios | KS distance | KS below uniform (anti-conservative) | " + string.Join(" | ", Quantiles.Select(q => string.Create(C, $"share ≤ {q}"))) + " |");
        Console.WriteLine("|---|---|---|" + string.Concat(Quantiles.Select(_ => "---|")));
        Console.WriteLine("| uniform | 0 | 0 | " + string.Join(" | ", Quantiles.Select(q => q.ToString(C))) + " |");
        foreach (var (name, values) in columns)
        {
            var (d, above) = KolmogorovSmirnov(values);
            Console.WriteLine(string.Create(C, $"| {name} | {d:F3} | {above:F3} | ") + string.Join(" | ", Quantiles.Select(q => (values.Count(v => v <= q) / (double)values.Length).ToString("F4", C))) + " |");
        }
        Console.WriteLine("QQ (expected quantile: observed quantile of p): " + string.Join(", ",
            Quantiles.Select(q => string.Create(C, $"{q}: {Quantile(columns[0].Values, q):G3}"))));
    }

    /// <summary>
    /// The largest distance between the p-values' empirical distribution and the uniform one, and the largest by which the
    /// empirical one lies above it (more small p-values than uniform: the side that raises false campaigns).
    /// </summary>
    public static (double Distance, double Above) KolmogorovSmirnov(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        double distance = 0, above = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            double x = Math.Clamp(sorted[i], 0, 1), upper = (i + 1.0) / sorted.Length, lower = (double)i / sorted.Length;
            distance = Math.Max(distance, Math.Max(upper - x, x - lower));
            above = Math.Max(above, upper - x);
        }
        return (distance, above);
    }

    private static double Quantile(IReadOnlyList<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static string Describe(IEnumerable<double> levels)
    {
        var sorted = levels.Order().ToArray();
        return sorted.Length == 0 ? "none" : string.Create(C, $"{sorted[0]:G2} to {sorted[^1]:G2}");
    }
}
