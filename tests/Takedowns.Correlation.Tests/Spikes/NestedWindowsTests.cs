using MathNet.Numerics.Distributions;
using Takedowns.Correlation.Spikes;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>
/// A slice's windows combined by the exact chance that any of them reaches their least p-value: the chance against a
/// sum over every outcome of the nested counts, and its level under no change on simulated days.
/// </summary>
public sealed class NestedWindowsTests(ITestOutputHelper output)
{
    /// <summary>Exposures of the 7-, 3-, 2- and 1-day windows, widest first (ordinary days weigh 1).</summary>
    private static readonly double[] Exposures = [7, 3, 2, 1];

    /// <summary>
    /// Every outcome (S₀ ≥ S₁ ≥ S₂ ≥ S₃) of the nested counts, with its probability worked out independently of the
    /// detector (MathNet's laws), and whether the least of its windows' p-values is at or below x.
    /// </summary>
    private static double Enumerated(NestedWindows law, double x, Func<int, double> widest, Func<int, int, int, double> split, int most)
    {
        double total = 0;
        for (int s0 = 0; s0 <= most; s0++)
        {
            double p0 = widest(s0);
            for (int s1 = 0; s1 <= s0; s1++)
            {
                double p1 = p0 * split(1, s0, s1);
                for (int s2 = 0; s2 <= s1; s2++)
                {
                    double p2 = p1 * split(2, s1, s2);
                    for (int s3 = 0; s3 <= s2; s3++)
                    {
                        double p3 = p2 * split(3, s2, s3);
                        if (law.Least([s0, s1, s2, s3]) <= x) total += p3;
                    }
                }
            }
        }
        return total;
    }

    public static TheoryData<string> Laws => ["conditional, Poisson", "conditional, overdispersed", "predictive"];

    [Theory]
    [MemberData(nameof(Laws))]
    public void the_chance_is_the_sum_over_every_outcome_of_the_nested_counts(string kind)
    {
        // Baseline of 6 events over 28 days and 5 incidents in the week (N = 11); or a sparse cell's predictive with 1
        // baseline event over 84 days. At each least p-value some outcome attains, the chance matches the enumeration
        // (never below it, and above it only by what the walk counts as negligible).
        const int baseline = 6, week = 5, minCount = 2;
        const double baselineExposure = 28, size = 2;
        var prior = new GammaPrior(1.5, 60);
        NestedWindows law;
        Func<int, double> widest;
        Func<int, int, int, double> split;
        int most;
        switch (kind)
        {
            case "conditional, Poisson":
                law = NestedWindows.Conditional(Exposures, week, baseline, baselineExposure, double.PositiveInfinity, minCount);
                widest = s => Binomial.PMF(Exposures[0] / (Exposures[0] + baselineExposure), baseline + week, s);
                split = (i, parent, s) => Binomial.PMF(Exposures[i] / Exposures[i - 1], parent, s);
                most = baseline + week;
                break;
            case "conditional, overdispersed":
                law = NestedWindows.Conditional(Exposures, week, baseline, baselineExposure, size, minCount);
                widest = s => BetaBinomial.PMF(baseline + week, size * Exposures[0], size * baselineExposure, s);
                split = (i, parent, s) => parent == 0 ? (s == 0 ? 1 : 0)
                    : BetaBinomial.PMF(parent, size * Exposures[i], size * (Exposures[i - 1] - Exposures[i]), s);
                most = baseline + week;
                break;
            default:
                law = NestedWindows.Predictive(Exposures, prior, 1, 84, minCount);
                double r = prior.Shape + 1, mean = r * Exposures[0] / (prior.Rate + 84);
                widest = s => NegativeBinomial.PMF(r: r, p: r / (r + mean), k: s);
                split = (i, parent, s) => Binomial.PMF(Exposures[i] / Exposures[i - 1], parent, s);
                most = 40;
                break;
        }
        if (kind != "predictive")
        {
            // All N on the last day is the one outcome with the least p-value; its chance is the detector's floor for the
            // slice (Tarone): the narrowest window's share of the exposure, to the N-th power (Poisson), or more.
            double least = law.Least([baseline + week, baseline + week, baseline + week, baseline + week]);
            double floor = Math.Pow(Exposures[3] / (Exposures[0] + baselineExposure), baseline + week);
            double atLeast = law.ChanceAnyAtMost(least);
            output.WriteLine($"{kind}: all on the last day {atLeast:G4}, floor {floor:G4}");
            Assert.True(atLeast >= floor * (1 - 1e-9));
            if (kind == "conditional, Poisson") Assert.Equal(floor, atLeast, floor * 1e-6);
        }
        var attained = new SortedSet<double>();
        for (int c = minCount; c <= 12; c++)
            for (int i = 0; i < Exposures.Length; i++)
                if (law.PValue(i, c, Math.Max(c, week)) is var p && p > 1e-12 && p < 1) attained.Add(p);
        Assert.NotEmpty(attained);
        foreach (double x in attained)
        {
            double exact = Enumerated(law, x, widest, split, most), chance = law.ChanceAnyAtMost(x);
            output.WriteLine($"{kind}: x {x:G4}, enumerated {exact:G6}, walked {chance:G6}");
            Assert.True(chance >= exact * (1 - 1e-9) - 1e-15, $"{chance} below {exact} at {x}");
            Assert.True(chance <= exact * (1 + 1e-3) + 1e-15, $"{chance} above {exact} at {x}");
        }
    }

    [Theory]
    [InlineData(2.0, double.PositiveInfinity)]
    [InlineData(3.0, 4.0)]
    [InlineData(0.4, 4.0)]
    public void under_no_change_the_combined_windows_reach_a_level_no_more_often_than_it(double rate, double size)
    {
        // 84 baseline days and a week of one cell whose daily counts are negative binomial (Poisson where the size is
        // infinite), its size known; each of the 1-, 2-, 3- and 7-day windows tested against the baseline by the
        // conditional test and their least p-value turned into the chance that any window gets that low. P(combined ≤ α)
        // ≤ α at every level; and the exact chance is never above the Bonferroni bound, and well below it.
        var random = new Random(17);
        double[] levels = [0.05, 0.01, 0.002];
        var hits = new int[levels.Length];
        const int trials = 30_000;
        int[] windows = [7, 3, 2, 1];
        double ratioSum = 0;
        int ratioCount = 0;
        var days = new int[7];
        for (int trial = 0; trial < trials; trial++)
        {
            long baseline = 0;
            for (int d = 0; d < 84; d++) baseline += Day(random, rate, size);
            for (int d = 0; d < 7; d++) days[d] = Day(random, rate, size);
            var counts = windows.Select(w => days.Skip(7 - w).Sum()).ToArray();
            var law = NestedWindows.Conditional(Exposures, counts[0], baseline, 84, size, minCount: 2);
            double least = law.Least(counts);
            double combined = law.ChanceAnyAtMost(least);
            // Each window's test is valid given N too, so the union bound holds; the combination may fall below the least
            // p-value, as a window's test given its own total is conservative given N.
            Assert.True(combined <= Math.Min(1, 4 * least) * (1 + 1e-3) + 1e-15, $"{combined} against {least}");
            if (least <= 0.01)
            {
                ratioSum += combined / least;
                ratioCount++;
            }
            for (int j = 0; j < levels.Length; j++) if (combined <= levels[j]) hits[j]++;
        }
        for (int j = 0; j < levels.Length; j++)
        {
            double share = hits[j] / (double)trials;
            output.WriteLine($"rate {rate}, size {size}: P(combined <= {levels[j]}) = {share:G3}");
            // Three standard errors of the share at the level, over 30,000 trials.
            Assert.True(share <= levels[j] + 3 * Math.Sqrt(levels[j] / trials), $"{share} at level {levels[j]}");
        }
        double ratio = ratioSum / Math.Max(1, ratioCount);
        output.WriteLine($"combined / least, where the least is at most 0.01: {ratio:F2} on average ({ratioCount} trials); Bonferroni charges 4");
        Assert.True(ratio < 3, $"{ratio}");
    }

    [Fact]
    public void under_no_change_a_sparse_cells_windows_reach_a_level_no_more_often_than_it()
    {
        // Cells whose rates are drawn from the prior itself (mean one incident in 40 days), 84 baseline days and a week:
        // the predictive test's combined windows are at or below α no more often than α.
        var random = new Random(23);
        var prior = new GammaPrior(1.5, 60);
        double[] levels = [0.01, 0.001];
        var hits = new int[levels.Length];
        const int trials = 200_000;
        int[] windows = [7, 3, 2, 1];
        var days = new int[7];
        for (int trial = 0; trial < trials; trial++)
        {
            double rate = Gamma.Sample(random, prior.Shape, prior.Rate);
            long baseline = Poisson.Sample(random, 84 * rate);
            for (int d = 0; d < 7; d++) days[d] = Poisson.Sample(random, rate);
            var counts = windows.Select(w => days.Skip(7 - w).Sum()).ToArray();
            if (counts[0] < 2) continue; // every window's p-value is 1
            var law = NestedWindows.Predictive(Exposures, prior, baseline, 84, minCount: 2);
            double combined = law.ChanceAnyAtMost(law.Least(counts));
            for (int j = 0; j < levels.Length; j++) if (combined <= levels[j]) hits[j]++;
        }
        for (int j = 0; j < levels.Length; j++)
        {
            double share = hits[j] / (double)trials;
            output.WriteLine($"P(combined <= {levels[j]}) = {share:G3}");
            Assert.True(share <= levels[j] + 3 * Math.Sqrt(levels[j] / trials), $"{share} at level {levels[j]}");
        }
    }

    [Fact]
    public void three_incidents_in_three_days_of_a_quiet_cell_cost_little_for_the_other_windows()
    {
        // At one incident in 40 days and none in the baseline, 3 in the 3-day window: the other windows add little to
        // its p-value (a union bound over four windows would charge up to four times it).
        var prior = new GammaPrior(1.5, 60);
        var law = NestedWindows.Predictive(Exposures, prior, 0, 84, minCount: 2);
        int[] counts = [3, 3, 2, 1];
        double least = law.Least(counts), combined = law.ChanceAnyAtMost(least);
        output.WriteLine($"least {least:G3}, combined {combined:G3}");
        Assert.Equal(law.PValue(1, 3, 3), least, 12);
        Assert.InRange(combined, least, 1.5 * least);
        Assert.Equal(1, law.ChanceAnyAtMost(1));
        Assert.Equal(0, law.ChanceAnyAtMost(0));
    }

    private static int Day(Random random, double rate, double size) =>
        Poisson.Sample(random, double.IsPositiveInfinity(size) ? rate : Gamma.Sample(random, size, size / rate));
}
