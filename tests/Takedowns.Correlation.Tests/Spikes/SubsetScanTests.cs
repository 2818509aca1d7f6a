using MathNet.Numerics.Distributions;
using Takedowns.Correlation.Spikes;

namespace Takedowns.Correlation.Tests.Spikes;

public sealed class SubsetScanTests(ITestOutputHelper output)
{
    private static readonly int[] Windows = [1, 3, 7, 14];
    private const double AlphaMax = 0.01;

    [Fact]
    public void the_best_subset_is_the_best_of_all_subsets()
    {
        // The Berk-Jones score of a subset S, max over α ≤ α_max of N(S)·KL(N_α(S)/N(S), α), taken over every one of the
        // 2^n subsets and every such α among the p-values, equals the linear scan's.
        var random = new Random(11);
        for (int round = 0; round < 300; round++)
        {
            int n = random.Next(1, 10);
            var p = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.2 ? 1 : Math.Pow(random.NextDouble(), 6)).ToArray();
            var (score, count) = SubsetScan.Best(p, new int[n], AlphaMax);
            double brute = 0;
            for (int mask = 1; mask < 1 << n; mask++)
            {
                var members = Enumerable.Range(0, n).Where(i => (mask >> i & 1) == 1).Select(i => p[i]).ToList();
                foreach (double alpha in p.Where(a => a <= AlphaMax))
                {
                    double x = (double)members.Count(m => m <= alpha) / members.Count;
                    brute = Math.Max(brute, members.Count * KullbackLeibler(x, alpha));
                }
            }
            Assert.Equal(brute, score, 9);
            Assert.Equal(score > 0, count > 0);
        }
    }

    private static double KullbackLeibler(double x, double alpha) =>
        x <= alpha ? 0 : x * Math.Log(x / alpha) + (x < 1 ? (1 - x) * Math.Log((1 - x) / (1 - alpha)) : 0);

    [Theory]
    [InlineData(20, 1)]
    [InlineData(20, 4)]
    [InlineData(60, 4)]
    public void the_p_value_bounds_the_chance_of_a_score_from_uniform_p_values(int cells, int windows)
    {
        // Independent uniform p-values in each window (a window's count overlaps the others', which only lowers the
        // chance): the share of scores reaching a level is at most the bound, and the bound is not wildly loose.
        var random = new Random(cells);
        const int trials = 20_000;
        var maxima = new double[trials];
        var order = new int[cells];
        var p = new double[cells];
        for (int t = 0; t < trials; t++)
            for (int w = 0; w < windows; w++)
            {
                for (int i = 0; i < cells; i++) p[i] = random.NextDouble();
                maxima[t] = Math.Max(maxima[t], SubsetScan.Best(p, order, AlphaMax).Score);
            }
        var sorted = maxima.Order().ToArray();
        foreach (double level in new[] { 0.01, 0.002 })
        {
            double score = sorted[(int)(trials * (1 - level))];
            double bound = SubsetScan.PValue(score, cells, windows, AlphaMax);
            output.WriteLine($"{cells} cells, {windows} windows: {level:P1} of scores reach {score:F2}; bound {bound:F4}");
            Assert.InRange(bound, level * 0.8, level * 3);
        }
    }

    [Fact]
    public void a_rise_spread_over_a_few_cells_is_found_and_more_significant_than_any_cell_alone()
    {
        // Twenty cells of one a day, each at its expectation, but four of them two more a day over the last three days:
        // 9 against 3 in each, which one cell alone hardly shows (P = 0.0038 before paying for its windows and tests).
        const int n = 20;
        var expected = Enumerable.Range(0, n).Select(_ => Enumerable.Repeat(1.0, 14).ToArray()).ToArray();
        var sizes = Enumerable.Repeat(double.PositiveInfinity, n).ToArray();
        var counts = Enumerable.Range(0, n).Select(_ => Enumerable.Repeat(1, 14).ToArray()).ToArray();
        int[] risen = [2, 9, 15, 17];
        foreach (int i in risen)
            for (int d = 11; d < 14; d++) counts[i][d] += 2;
        var found = SubsetScan.Scan(counts, expected, sizes, Windows, minCount: 2, AlphaMax);
        double alone = NegativeBinomialTail.AtLeast(9, 3, double.PositiveInfinity);
        output.WriteLine($"score {found.Score:F1}, p {found.PValue:E2} (one cell: {alone:E2}), window {found.Window}, cells {string.Join(",", found.Cells)}, {found.Observed} vs {found.Expected:F1}");
        Assert.Equal(risen, found.Cells);
        Assert.Equal(3, found.Window);
        Assert.Equal(36, found.Observed);
        Assert.Equal(12, found.Expected, 9);
        Assert.True(found.PValue < alone / 10, $"pooled p {found.PValue:E2}, one cell {alone:E2}");
    }

    [Fact]
    public void noise_in_sparse_overdispersed_cells_does_not_hide_a_pooled_rise()
    {
        var (expected, sizes) = Cells(30, seed: 3);
        var counts = Draw(expected, sizes, new Random(5));
        // Four cells each get their day's expectation three times over, for three days.
        int[] risen = [4, 11, 19, 26];
        foreach (int i in risen)
            for (int d = 11; d < 14; d++) counts[i][d] += (int)Math.Ceiling(3 * expected[i][d]) + 1;
        var found = SubsetScan.Scan(counts, expected, sizes, Windows, minCount: 2, AlphaMax);
        output.WriteLine($"score {found.Score:F1}, p {found.PValue:E2}, window {found.Window}, cells {string.Join(",", found.Cells)}, {found.Observed} vs {found.Expected:F1}");
        Assert.True(found.Cells.Intersect(risen).Count() >= 3, string.Join(",", found.Cells));
        Assert.True(found.PValue < 1e-4, $"p {found.PValue:E2}");
    }

    [Fact]
    public void on_null_counts_p_values_are_not_too_small()
    {
        // Counts drawn from the very baselines the cells are tested against, sparse and overdispersed ones among them:
        // p <= alpha happens at most about alpha of the time.
        var (expected, sizes) = Cells(20, seed: 8);
        var random = new Random(13);
        const int trials = 2_000;
        var ps = new List<double>();
        for (int trial = 0; trial < trials; trial++)
            ps.Add(SubsetScan.Scan(Draw(expected, sizes, random), expected, sizes, Windows, minCount: 0, AlphaMax).PValue);
        foreach (double alpha in new[] { 0.2, 0.05, 0.01 })
        {
            int below = ps.Count(p => p <= alpha);
            output.WriteLine($"p <= {alpha}: {below}/{trials}");
            // Binomial(trials, alpha): allow 3 standard deviations above the mean.
            Assert.True(below <= trials * alpha + 3 * Math.Sqrt(trials * alpha * (1 - alpha)) + 1, $"{below} of {trials} at {alpha}");
        }
        // They are p-values, not a constant: some are small.
        Assert.True(ps.Count(p => p <= 0.2) > trials / 50, $"{ps.Count(p => p <= 0.2)} of {trials} at 0.2");
    }

    [Fact]
    public void nothing_above_expectation_finds_nothing()
    {
        var (expected, sizes) = Cells(10, seed: 2);
        var counts = expected.Select(days => days.Select(_ => 0).ToArray()).ToArray();
        var found = SubsetScan.Scan(counts, expected, sizes, Windows, minCount: 2, AlphaMax);
        Assert.Empty(found.Cells);
        Assert.Equal(1, SubsetScan.PValue(found.Score, 10, Windows.Length, AlphaMax));
    }

    /// <summary>Cells of sparse to busy daily means (0.05 to 5) over 14 days, some overdispersed, some Poisson.</summary>
    private static (double[][] Expected, double[] Sizes) Cells(int n, int seed)
    {
        var random = new Random(seed);
        var expected = new double[n][];
        var sizes = new double[n];
        for (int i = 0; i < n; i++)
        {
            double mean = Math.Exp(Math.Log(0.05) + random.NextDouble() * Math.Log(100));
            expected[i] = Enumerable.Range(0, 14).Select(d => mean * (d % 7 == 5 ? 0.7 : 1.05)).ToArray();
            sizes[i] = i % 3 == 0 ? double.PositiveInfinity : 0.5 + random.NextDouble() * 10;
        }
        return (expected, sizes);
    }

    private static int[][] Draw(double[][] expected, double[] sizes, Random random) =>
        expected.Select((days, i) => days.Select(mean => double.IsPositiveInfinity(sizes[i])
            ? Poisson.Sample(random, mean)
            // Negative binomial as a Poisson count whose rate is gamma-distributed (shape = size, mean = the expectation).
            : Poisson.Sample(random, Math.Max(1e-12, Gamma.Sample(random, sizes[i], sizes[i] / mean)))).ToArray()).ToArray();
}
