using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using Takedowns.Correlation.Spikes;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>
/// A sparse cell's windows read with the days their reports fell on: each window's p-value and their combination
/// against a sum over every day-by-day outcome of the week, the floor against every outcome, and the level under no
/// change on simulated cells.
/// </summary>
public sealed class SpreadWindowsTests(ITestOutputHelper output)
{
    private static readonly int[] Windows = [1, 2, 3, 7];

    /// <summary>Weights of the week's days, the day assessed first: day-of-week factors that are not all 1.</summary>
    private static readonly double[] Weights = [1.1, 0.9, 1.0, 1.2, 0.8, 1.0, 1.0];

    private static readonly GammaPrior Prior = new(0.8, 20);

    /// <summary>
    /// Every day-by-day outcome of the week with at most <paramref name="most"/> reports, with its chance under the
    /// posterior predictive worked out here (the gamma-Poisson joint law of the days): with a = shape + b events and
    /// β = rate + e, P(k₁..k₇) = Γ(a + s) / Γ(a) / Π kⱼ! · (β / (β + W))^a · Π (rⱼ / (β + W))^kⱼ.
    /// </summary>
    private static IEnumerable<(int[] Days, double Chance)> Outcomes(long baseline, double baselineExposure, int most)
    {
        double a = Prior.Shape + baseline, beta = Prior.Rate + baselineExposure, w = Weights.Sum();
        var days = new int[7];
        foreach (var outcome in Fill(0, most))
            yield return outcome;

        IEnumerable<(int[], double)> Fill(int j, int left)
        {
            if (j == days.Length)
            {
                int s = days.Sum();
                double log = SpecialFunctions.GammaLn(a + s) - SpecialFunctions.GammaLn(a) + a * Math.Log(beta / (beta + w));
                for (int i = 0; i < days.Length; i++)
                    log += days[i] * Math.Log(Weights[i] / (beta + w)) - SpecialFunctions.GammaLn(days[i] + 1);
                yield return ((int[])days.Clone(), Math.Exp(log));
                yield break;
            }
            for (int k = 0; k <= left; k++)
            {
                days[j] = k;
                foreach (var o in Fill(j + 1, left - k)) yield return o;
            }
        }
    }

    private static (int[] Counts, int[] Active) Windowed(int[] days, int[]? windows = null) =>
        ((windows ?? Windows).Select(w => days.Take(w).Sum()).ToArray(), (windows ?? Windows).Select(w => days.Take(w).Count(k => k > 0)).ToArray());

    /// <summary>The windows a quiet cell is read over by default (<see cref="SpikeSettings.SparseWindows"/>), and all four.</summary>
    private static int[] WindowsOf(string list) => list.Split(',').Select(int.Parse).ToArray();

    [Fact]
    public void each_windows_p_value_is_the_chance_of_a_larger_count_or_the_same_count_on_as_many_days_or_more()
    {
        const long baseline = 1;
        const double exposure = 84;
        var law = new SpreadWindows(Prior, baseline, exposure, Windows, Weights, minCount: 2);
        var outcomes = Outcomes(baseline, exposure, 12).ToList();
        Assert.Equal(1, outcomes.Sum(o => o.Chance), 1e-9);
        foreach (var (i, s, d) in new[] { (0, 2, 1), (0, 3, 1), (1, 2, 2), (1, 3, 1), (2, 3, 3), (2, 3, 2), (2, 4, 2), (3, 3, 3), (3, 4, 2), (3, 2, 1) })
        {
            int w = Windows[i];
            double enumerated = outcomes.Where(o => o.Days.Take(w).Sum() is var c && (c > s || c == s && o.Days.Take(w).Count(k => k > 0) >= d)).Sum(o => o.Chance);
            double p = law.PValue(i, s, d);
            output.WriteLine($"{w}-day window, {s} reports on {d} days: {p:G6} (enumerated {enumerated:G6})");
            Assert.Equal(enumerated, p, enumerated * 1e-7 + 1e-15);
        }
        // A clump on one day is judged as the count alone; the same count over three days, far more sharply.
        double count = Prior.Tail(3, baseline, exposure, Weights.Take(3).Sum());
        Assert.Equal(count, law.PValue(2, 3, 1), count * 1e-9);
        Assert.Equal(Prior.Tail(3, baseline, exposure, Weights[0]), law.PValue(0, 3, 1), count * 1e-9);
        Assert.True(law.PValue(2, 3, 3) < count / 3, $"{law.PValue(2, 3, 3)} against {count}");
    }

    [Theory]
    [InlineData(0, "1,2,3,7")]
    [InlineData(2, "1,2,3,7")]
    [InlineData(0, "3,7")]
    [InlineData(2, "3,7")]
    public void the_chance_that_any_window_reaches_is_the_sum_over_every_outcome_of_the_week(long baseline, string list)
    {
        const double exposure = 84;
        var windows = WindowsOf(list);
        var law = new SpreadWindows(Prior, baseline, exposure, windows, Weights, minCount: 2);
        var outcomes = Outcomes(baseline, exposure, 12).Select(o => (Windowed(o.Days, windows), o.Chance)).ToList();
        var attained = new SortedSet<double>();
        for (int i = 0; i < windows.Length; i++)
            for (int s = 2; s <= 6; s++)
                for (int d = 1; d <= Math.Min(s, windows[i]); d++)
                    if (law.PValue(i, s, d) is var p && p > 1e-12 && p < 1) attained.Add(p);
        Assert.True(attained.Count > 10);
        // Weeks of more than 12 reports are not enumerated; every one of them reaches each x here (checked below).
        double beyond = Prior.Tail(13, baseline, exposure, Weights.Sum());
        foreach (double x in attained)
        {
            Assert.True(law.PValue(windows.Length - 1, 13, 1) <= x, "a week of 13 reports does not reach every level checked");
            double exact = beyond + outcomes.Where(o => law.Least(o.Item1.Counts, o.Item1.Active) <= x * (1 + 1e-12)).Sum(o => o.Chance);
            double chance = law.ChanceAnyAtMost(x);
            Assert.True(chance >= exact * (1 - 1e-9) - 1e-15, $"{chance} below {exact} at {x}");
            Assert.True(chance <= exact * (1 + 1e-6) + 1e-15, $"{chance} above {exact} at {x}");
            Assert.True(law.WidestChance(x) <= chance * (1 + 1e-12));
        }
        // Three reports on the last three days, none before: the 3-day window's spread decides, and the other windows add
        // less to it than a union bound over the four windows would.
        var (counts, active) = Windowed([1, 1, 1, 0, 0, 0, 0], windows);
        double least = law.Least(counts, active), combined = law.ChanceAnyAtMost(least);
        output.WriteLine($"baseline {baseline}, windows {list}: three on three days, least {least:G3}, combined {combined:G3}");
        Assert.Equal(law.PValue(Array.IndexOf(windows, 3), 3, 3), least, least * 1e-12);
        Assert.InRange(combined, least, Math.Min(3, windows.Length) * least);
        Assert.Equal(1, law.ChanceAnyAtMost(1));
        Assert.Equal(0, law.ChanceAnyAtMost(0));
    }

    [Theory]
    [InlineData("1,2,3,7")]
    [InlineData("3,7")]
    public void no_outcome_of_the_week_falls_below_the_cells_floor(string list)
    {
        const double exposure = 84;
        var windows = WindowsOf(list);
        for (int n = 2; n <= 5; n++)
        {
            double floor = SpreadWindows.Floor(Prior, n, exposure, windows, Weights, minCount: 2);
            double least = 1;
            // n reports between baseline and week: every split, every way the week's fall.
            for (int b = 0; b <= n; b++)
            {
                var law = new SpreadWindows(Prior, b, exposure, windows, Weights, minCount: 2);
                foreach (var (days, _) in Outcomes(b, exposure, n - b).Where(o => o.Days.Sum() == n - b))
                {
                    var (counts, active) = Windowed(days, windows);
                    least = Math.Min(least, law.Least(counts, active));
                }
            }
            output.WriteLine($"{n} reports: floor {floor:G4}, least over every outcome {least:G4}");
            Assert.True(least >= floor * (1 - 1e-12), $"{least} below the floor {floor}");
            Assert.Equal(floor, least, floor * 1e-9);
        }
    }

    [Theory]
    [InlineData("1,2,3,7")]
    [InlineData("3,7")]
    public void under_no_change_a_sparse_cells_windows_reach_a_level_no_more_often_than_it(string list)
    {
        var windows = WindowsOf(list);
        // Cells whose rates are drawn from the prior itself, 84 baseline days and a week of days weighted as above: the
        // combined windows are at or below α no more often than α.
        var random = new Random(29);
        var prior = new GammaPrior(1.5, 60);
        double[] levels = [0.01, 0.001];
        var hits = new int[levels.Length];
        const int trials = 200_000;
        var days = new int[7];
        for (int trial = 0; trial < trials; trial++)
        {
            double rate = Gamma.Sample(random, prior.Shape, prior.Rate);
            long baseline = Poisson.Sample(random, 84 * rate);
            for (int d = 0; d < 7; d++) days[d] = Poisson.Sample(random, rate * Weights[d]);
            if (days.Sum() < 2) continue; // every window's p-value is 1
            var law = new SpreadWindows(prior, baseline, 84, windows, Weights, minCount: 2);
            var (counts, active) = Windowed(days, windows);
            double least = law.Least(counts, active);
            if (least > levels[0]) continue;
            double combined = law.ChanceAnyAtMost(least);
            Assert.True(combined >= least * (1 - 1e-9) && combined <= windows.Length * least * (1 + 1e-9), $"{combined} against {least}");
            for (int j = 0; j < levels.Length; j++) if (combined <= levels[j]) hits[j]++;
        }
        for (int j = 0; j < levels.Length; j++)
        {
            double share = hits[j] / (double)trials;
            output.WriteLine($"windows {list}: P(combined <= {levels[j]}) = {share:G3}");
            Assert.True(share <= levels[j] + 3 * Math.Sqrt(levels[j] / trials), $"{share} at level {levels[j]}");
            Assert.True(hits[j] > 0, $"no trial reached {levels[j]}: the check would pass whatever the law");
        }
    }
}
