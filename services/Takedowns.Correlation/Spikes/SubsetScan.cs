using MathNet.Numerics;

namespace Takedowns.Correlation.Spikes;

/// <summary>
/// Pools neighbouring slices: of a country's cells, the subset that rose most together over a recent window. A burst
/// spread thinly over a few cells, each too small to alarm alone and too small beside the rest of the country to lift
/// its total, stands out here.
/// </summary>
/// <remarks>
/// A nonparametric scan (McFowland, Speakman and Neill, 2013): each cell's count over the window gets its
/// negative-binomial tail p-value against its own baseline, so a sparse, overdispersed cell and a busy one speak the same
/// language, and a subset S scores the Berk-Jones statistic max over α ≤ α_max of N(S)·KL(N_α(S)/N(S), α), N_α(S) being
/// its cells with p ≤ α. For a given α the best subset is exactly the cells with p ≤ α, which makes the scan linear: with
/// the p-values sorted, the best score is max over k of k·ln(1/p₍ₖ₎) for p₍ₖ₎ ≤ α_max, the subset the k smallest. α_max
/// keeps the many cells that are merely a little busier than usual out of it: without it, the score of n uniform p-values
/// grows like n/e and a few cells that truly rose are lost among many. Under no rise the p-values are uniform (or, counts
/// being discrete, larger), so the chance of a score of at least F is at most
/// Σ_{k&lt;k₀} P(Binomial(n, e^(−F/k)) ≥ k) + P(Binomial(n, α_max) ≥ k₀), with k₀ = ⌈F / ln(1/α_max)⌉, per window, summed
/// over the windows scanned: a p-value that depends only on the number of cells, needs no simulation, and is the same on
/// every rescan.
/// </remarks>
public static class SubsetScan
{
    /// <summary>
    /// The best subset of cells with these p-values: how many (the smallest ones, left first in
    /// <paramref name="order"/>) and its score, max over k of k·ln(1/p₍ₖ₎) for p₍ₖ₎ ≤ <paramref name="alphaMax"/>.
    /// </summary>
    public static (double Score, int Count) Best(ReadOnlySpan<double> pValues, int[] order, double alphaMax)
    {
        int n = pValues.Length;
        var sorted = pValues.ToArray();
        for (int i = 0; i < n; i++) order[i] = i;
        // Ascending by p-value. How ties fall does not matter: the best cut never splits cells of equal p-value, as
        // taking one more of them always scores more.
        Array.Sort(sorted, order, 0, n);
        double best = 0;
        int count = 0;
        for (int k = 1; k <= n; k++)
        {
            double p = sorted[k - 1];
            if (p > alphaMax) break;
            double score = k * -Math.Log(Math.Max(p, 1e-300));
            if (score > best) (best, count) = (score, k);
        }
        return (best, count);
    }

    /// <summary>
    /// An upper bound on the chance that <paramref name="cells"/> uniform p-values score at least
    /// <paramref name="score"/> in any of <paramref name="windows"/> windows.
    /// </summary>
    public static double PValue(double score, int cells, int windows, double alphaMax)
    {
        if (score <= 0 || cells == 0) return 1;
        // Beyond k₀ cells a score needs only the k-th p-value at or below α_max, and those events are nested: one term.
        int k0 = Math.Max(1, (int)Math.Ceiling(score / -Math.Log(alphaMax) - 1e-12));
        double total = k0 <= cells ? AtLeast(k0, cells, alphaMax) : 0;
        for (int k = 1; k < k0 && k <= cells; k++)
        {
            total += AtLeast(k, cells, Math.Exp(-score / k));
            if (total * windows >= 1) return 1;
        }
        return Math.Min(1, total * windows);
    }

    /// <summary>P(Binomial(n, q) ≥ k) = I_q(k, n − k + 1).</summary>
    private static double AtLeast(int k, int n, double q) => q >= 1 ? 1 : SpecialFunctions.BetaRegularized(k, n - k + 1, q);

    /// <summary>
    /// Scans a set of cells over the windows that end on the last day: the best window and subset.
    /// <paramref name="counts"/> and <paramref name="expected"/> hold each cell's last <c>max(windows)</c> days, oldest
    /// first; <paramref name="sizes"/> each cell's negative-binomial size for one day (infinite: Poisson).
    /// </summary>
    /// <param name="tail">
    /// A cell's p-value for a count over a window (cell index, window in days, count); the negative-binomial tail of
    /// <paramref name="expected"/> and <paramref name="sizes"/> when not given.
    /// </param>
    /// <param name="testable">
    /// How many of the cells could reach a p-value of at most <paramref name="alphaMax"/> at all (all of them when not
    /// given): only those can join a subset, so the bound counts only them (Tarone's argument for discrete tests).
    /// </param>
    public static Found Scan(int[][] counts, double[][] expected, double[] sizes, IReadOnlyList<int> windows, int minCount, double alphaMax,
        Func<int, int, int, double>? tail = null, int? testable = null)
    {
        int n = counts.Length, days = n == 0 ? 0 : counts[0].Length;
        var c = new int[n];
        var b = new double[n];
        var p = new double[n];
        var order = new int[n];
        var best = new Found(0, 1, 0, [], 0, 0);
        int scanned = windows.Count(w => w <= days);
        foreach (int w in windows)
        {
            if (w > days) continue;
            for (int i = 0; i < n; i++)
            {
                (c[i], b[i]) = (0, 0);
                for (int d = days - w; d < days; d++) (c[i], b[i]) = (c[i] + counts[i][d], b[i] + expected[i][d]);
                p[i] = c[i] == 0 ? 1 : tail is null ? NegativeBinomialTail.AtLeast(c[i], b[i], sizes[i] * w) : tail(i, w, c[i]);
            }
            var (score, k) = Best(p, order, alphaMax);
            if (k == 0 || score <= best.Score) continue;
            int total = 0;
            double totalExpected = 0;
            for (int j = 0; j < k; j++) (total, totalExpected) = (total + c[order[j]], totalExpected + b[order[j]]);
            if (total < minCount) continue;
            best = new Found(score, PValue(score, Math.Max(k, testable ?? n), scanned, alphaMax), w, order[..k].Order().ToArray(), total, totalExpected);
        }
        return best;
    }

    /// <summary>
    /// The best window and subset: its score and p-value, window in days, the cells in it (indexes, ascending), their
    /// count and expectation over the window.
    /// </summary>
    public readonly record struct Found(double Score, double PValue, int Window, int[] Cells, int Observed, double Expected);
}
