using MathNet.Numerics;

namespace Takedowns.Correlation.Spikes;

/// <summary>
/// The exact chance, were nothing to change, that any of a slice's windows reaches a p-value at or below x: the windows'
/// tests combined by their least p-value, with its own null law in place of a bound for several tests (Simes' method or a
/// union bound charge up to one share per window; nested windows see mostly the same days, so the exact chance is much
/// less).
/// <para>
/// The windows all end on the day assessed, so their counts are nested sums: the widest window's count S₀, and each
/// narrower window's count Sᵢ a part of the next wider one's, Sᵢ₋₁. Both null laws the detector tests against split such
/// parts exactly. Days whose counts are Poisson with gamma-distributed rates of one scale (the negative binomial of the
/// conditional test, shape k per weighted day) divide a total as a Dirichlet does, whatever the rate: given
/// N = baseline + widest window, S₀ is beta-binomial(N, k·W₀, k·E) and Sᵢ given Sᵢ₋₁ is beta-binomial(Sᵢ₋₁, k·Wᵢ,
/// k·(Wᵢ₋₁ − Wᵢ)) (binomial without overdispersion), with W the windows' exposures and E the baseline's. Under a sparse
/// cell's posterior predictive, one rate for all its days, S₀ is negative binomial and Sᵢ given Sᵢ₋₁ is
/// binomial(Sᵢ₋₁, Wᵢ / Wᵢ₋₁).
/// </para>
/// <para>
/// Each window's own test is the detector's as it stands (the conditional test of a window against the baseline alone,
/// given the window's and the baseline's events; or the predictive tail): its p-value falls as its count rises, so it is
/// at or below x from a critical count on, which for the conditional test depends on how many baseline events there are,
/// N − S₀. The chance is summed from the narrowest window out: Rᵢ(s), the chance that window i or a narrower one reaches
/// given Sᵢ₋₁ = s, is P(Sᵢ ≥ cᵢ | s) + Σ over j &lt; cᵢ of P(Sᵢ = j | s)·Rᵢ₊₁(j), and the answer P(S₀ ≥ c₀) + Σ over
/// s &lt; c₀ of P(S₀ = s)·R₁(s).
/// </para>
/// </summary>
public abstract class NestedWindows
{
    /// <param name="exposures">The windows' exposures, widest first, each narrower window's days among the wider one's.</param>
    /// <param name="minCount">Fewest incidents for a window to count: below them its p-value is 1.</param>
    protected NestedWindows(IReadOnlyList<double> exposures, int minCount)
    {
        Exposures = [.. exposures];
        MinCount = Math.Max(1, minCount);
        for (int i = 1; i < Exposures.Length; i++)
            if (Exposures[i] > Exposures[i - 1] + 1e-9) throw new ArgumentException("Windows must be given widest first.", nameof(exposures));
    }

    protected double[] Exposures { get; }
    protected int MinCount { get; }

    /// <summary>The conditional test's law: <paramref name="baseline"/> events over exposure <paramref name="baselineExposure"/>, daily size <paramref name="size"/>.</summary>
    public static NestedWindows Conditional(IReadOnlyList<double> exposures, long widestCount, long baseline, double baselineExposure, double size, int minCount) =>
        new ConditionalLaw(exposures, widestCount + baseline, baselineExposure, size, minCount);

    /// <summary>The posterior predictive of a sparse cell under <paramref name="prior"/>, its baseline given.</summary>
    public static NestedWindows Predictive(IReadOnlyList<double> exposures, GammaPrior prior, long baseline, double baselineExposure, int minCount) =>
        new PredictiveLaw(exposures, prior, baseline, baselineExposure, minCount);

    /// <summary>Window <paramref name="i"/>'s p-value at <paramref name="count"/> incidents, the widest window holding <paramref name="widest"/>.</summary>
    public abstract double PValue(int i, int count, int widest);

    /// <summary>P(S₀ = s) for s below <paramref name="below"/>.</summary>
    protected abstract double[] Widest(int below);

    /// <summary>P(S₀ ≥ <paramref name="count"/>).</summary>
    protected abstract double WidestTail(int count);

    /// <summary>Largest count S₀ can take (int.MaxValue: unbounded).</summary>
    protected abstract int WidestMost { get; }

    /// <summary>
    /// P(Sᵢ = j | Sᵢ₋₁ = <paramref name="parent"/>) where at least <paramref name="tiny"/>, and a bound on the rest.
    /// </summary>
    protected abstract Part Split(int i, int parent, double tiny);

    /// <summary>Probabilities of the counts from <paramref name="Lo"/> on, and at most <paramref name="Lost"/> on the counts left out.</summary>
    protected readonly record struct Part(int Lo, double[] P, double Lost);

    /// <summary>The least p-value among the windows at these counts (widest first), 1 where none counts.</summary>
    public double Least(IReadOnlyList<int> counts)
    {
        double least = 1;
        for (int i = 0; i < Exposures.Length; i++)
            if (counts[i] >= MinCount) least = Math.Min(least, PValue(i, counts[i], counts[0]));
        return least;
    }

    /// <summary>The chance that the widest window alone reaches <paramref name="x"/>: a lower bound on <see cref="ChanceAnyAtMost"/>.</summary>
    public double WidestChance(double x)
    {
        if (x >= 1) return 1;
        int c0 = Critical(0, x, WidestMost, 0);
        return c0 == int.MaxValue ? 0 : WidestTail(c0);
    }

    /// <summary>
    /// P(some window's p-value ≤ <paramref name="x"/>) under the law. Outcomes less likely than a millionth of x are
    /// counted as reaching rather than followed further: the answer is never below the exact chance, and above it by
    /// well under a thousandth of x.
    /// </summary>
    public double ChanceAnyAtMost(double x)
    {
        if (x >= 1) return 1;
        if (x <= 0) return 0;
        int m = Exposures.Length;
        int c0 = Critical(0, x, WidestMost, 0);
        double reached;
        int below = c0;
        if (c0 == int.MaxValue)
        {
            // The widest window cannot reach x: its law is summed until what is left is negligible beside x.
            below = MinCount;
            while (below <= WidestMost && WidestTail(below) > x * 1e-9) below = below < 64 ? below + 1 : below * 2;
            reached = below <= WidestMost ? WidestTail(below) : 0;
            below = (int)Math.Min(below, WidestMost == int.MaxValue ? below : (long)WidestMost + 1);
        }
        else reached = WidestTail(c0);
        if (m == 1) return Math.Min(1, reached);

        var walk = new Walk(this, x * 1e-6, below + 1);
        var criticals = Enumerable.Range(0, m).Select(i => new Criticals(this, i, x, below - 1)).ToArray();
        var widest = Widest(below);
        for (int s0 = 0; s0 < below; s0++)
        {
            double w = widest[s0];
            if (w <= 0) continue;
            if (w < walk.Negligible)
            {
                reached += w;
                continue;
            }
            for (int i = 1; i < m; i++) walk.SetCritical(i, criticals[i].At(s0));
            reached += w * walk.Reach(1, s0);
        }
        return Math.Clamp(reached, 0, 1);
    }

    /// <summary>
    /// Rᵢ(s), the chance that window i or a narrower one reaches given Sᵢ₋₁ = s, for the criticals in force, remembered
    /// until a critical it depends on moves; and the splits' probabilities, worked out once.
    /// </summary>
    private sealed class Walk(NestedWindows law, double negligible, int size)
    {
        private readonly int _m = law.Exposures.Length;
        private readonly int[] _critical = Enumerable.Repeat(-1, law.Exposures.Length).ToArray();
        private readonly double[][] _memo = Enumerable.Range(0, law.Exposures.Length).Select(_ => new double[size]).ToArray();
        private readonly int[][] _stamp = Enumerable.Range(0, law.Exposures.Length).Select(_ => new int[size]).ToArray();
        private readonly int[] _version = Enumerable.Repeat(1, law.Exposures.Length).ToArray();
        private readonly Dictionary<(int, int), (Part Part, double[] Tail)> _splits = [];

        public double Negligible => negligible;

        public void SetCritical(int i, int c)
        {
            if (_critical[i] == c) return;
            _critical[i] = c;
            for (int k = 1; k <= i; k++) _version[k]++; // Rₖ for k ≤ i depends on cᵢ
        }

        public double Reach(int i, int s)
        {
            if (_stamp[i][s] == _version[i]) return _memo[i][s];
            var (part, tail) = Split(i, s);
            int c = _critical[i];
            // What the split leaves out counts as reaching.
            double r = part.Lost + (c <= part.Lo ? tail[0] : c - part.Lo < tail.Length ? tail[c - part.Lo] : 0);
            if (i + 1 < _m)
                for (int j = part.Lo, top = Math.Min(part.Lo + part.P.Length - 1, c - 1); j <= top; j++)
                {
                    double p = part.P[j - part.Lo];
                    if (p <= 0) continue;
                    r += p < negligible ? p : p * Reach(i + 1, j);
                }
            _stamp[i][s] = _version[i];
            return _memo[i][s] = Math.Min(1, r);
        }

        private (Part Part, double[] Tail) Split(int i, int s)
        {
            if (_splits.TryGetValue((i, s), out var split)) return split;
            var part = law.Split(i, s, negligible);
            var tail = new double[part.P.Length + 1];
            for (int j = part.P.Length - 1; j >= 0; j--) tail[j] = tail[j + 1] + part.P[j];
            return _splits[(i, s)] = (part, tail);
        }
    }

    /// <summary>
    /// Window i's critical count as the widest window's count s0 rises (int.MaxValue: none up to s0). A window's p-value
    /// at a given count falls as s0 rises (fewer baseline events), so its critical count never rises: it is found once,
    /// and the next s0 at which it moves down (or at which any count first reaches) is found by bisection over s0, so
    /// the p-values worked out grow with the number of moves, not with the span of s0.
    /// </summary>
    private sealed class Criticals(NestedWindows law, int i, double x, int last)
    {
        private int _critical = int.MaxValue, _until = -1;

        public int At(int s0)
        {
            if (s0 < _until) return _critical;
            if (_critical == int.MaxValue) _critical = law.Critical(i, x, s0, s0);
            while (_critical != int.MaxValue && _critical - 1 >= law.MinCount && law.PValue(i, _critical - 1, s0) <= x) _critical--;
            // The first s0 above this one at which the count one below (or, while none reaches, s0 itself) reaches.
            int low = s0 + 1, high = last + 1;
            while (low < high)
            {
                int mid = low + (high - low) / 2;
                int count = _critical == int.MaxValue ? mid : _critical - 1;
                if (count >= law.MinCount && law.PValue(i, count, mid) <= x) high = mid;
                else low = mid + 1;
            }
            _until = low;
            return _critical;
        }
    }

    /// <summary>The smallest count of window <paramref name="i"/> (at least the fewest that count, at most <paramref name="most"/>) whose p-value is at or below x; int.MaxValue if none.</summary>
    private int Critical(int i, double x, int most, int widest)
    {
        if (most < MinCount || PValue(i, most == int.MaxValue ? MinCount + 4096 : most, i == 0 ? most : widest) > x) return int.MaxValue;
        int low = MinCount, high = most == int.MaxValue ? MinCount + 4096 : most;
        while (low < high)
        {
            int mid = low + (high - low) / 2;
            if (PValue(i, mid, i == 0 ? mid : widest) <= x) high = mid;
            else low = mid + 1;
        }
        return low;
    }

    private sealed class ConditionalLaw(IReadOnlyList<double> exposures, long total, double baselineExposure, double size, int minCount)
        : NestedWindows(exposures, minCount)
    {
        private readonly bool _poisson = double.IsPositiveInfinity(size) || size > 1e6;

        protected override int WidestMost => (int)Math.Min(total, int.MaxValue - 1);

        // The window's count against a baseline of what the widest window leaves of the total.
        public override double PValue(int i, int count, int widest) =>
            ConditionalTail.AtLeast(count, total - widest, Exposures[i], baselineExposure, size);

        protected override double WidestTail(int count) => ConditionalTail.AtLeast(count, total - count, Exposures[0], baselineExposure, size);

        protected override double[] Widest(int below) => Dense(_poisson
            ? BinomialPart(total, Exposures[0] / (Exposures[0] + baselineExposure), 0, below - 1)
            : BetaBinomialPart(total, size * Exposures[0], size * baselineExposure, 0, below - 1), below);

        protected override Part Split(int i, int parent, double tiny)
        {
            double inner = Exposures[i], rest = Exposures[i - 1] - Exposures[i];
            return _poisson ? BinomialPart(parent, inner / (inner + rest), tiny) : BetaBinomialPart(parent, size * inner, size * rest, tiny);
        }
    }

    private sealed class PredictiveLaw(IReadOnlyList<double> exposures, GammaPrior prior, long baseline, double baselineExposure, int minCount)
        : NestedWindows(exposures, minCount)
    {
        private readonly double _size = prior.Shape + baseline;

        protected override int WidestMost => int.MaxValue;

        public override double PValue(int i, int count, int widest) => prior.Tail(count, baseline, baselineExposure, Exposures[i]);

        protected override double WidestTail(int count) => PValue(0, count, count);

        protected override double[] Widest(int below)
        {
            double mean = _size * Exposures[0] / (prior.Rate + baselineExposure);
            var pmf = new double[below];
            double log = _size * Math.Log(_size / (_size + mean)), step = Math.Log(mean / (_size + mean));
            for (int s = 0; s < below; s++)
            {
                pmf[s] = Math.Exp(log);
                log += Math.Log((s + _size) / (s + 1)) + step;
            }
            return pmf;
        }

        protected override Part Split(int i, int parent, double tiny) =>
            BinomialPart(parent, Exposures[i - 1] <= 0 ? 0 : Exposures[i] / Exposures[i - 1], tiny);
    }

    /// <summary>
    /// Binomial(n, p) where its probabilities are at least <paramref name="tiny"/> (0: all of them), for counts up to
    /// <paramref name="top"/>.
    /// </summary>
    private static Part BinomialPart(long n, double p, double tiny, long top = long.MaxValue)
    {
        if (p <= 0 || n == 0) return new Part(0, [1], 0);
        if (p >= 1) return new Part((int)Math.Min(n, int.MaxValue), [1], 0);
        double odds = p / (1 - p);
        long mode = Math.Min(n, (long)Math.Floor((n + 1) * p));
        double logMode = SpecialFunctions.GammaLn(n + 1) - SpecialFunctions.GammaLn(mode + 1) - SpecialFunctions.GammaLn(n - mode + 1)
            + mode * Math.Log(p) + (n - mode) * Math.Log(1 - p);
        return Trimmed(n, mode, logMode, k => (double)(n - k) / (k + 1) * odds, tiny, top);
    }

    /// <summary>
    /// BetaBinomial(n, a, b) where its probabilities are at least <paramref name="tiny"/>, for counts up to
    /// <paramref name="top"/>; whole where a or b is below 1 (the law may then have two peaks, and a walk outward from
    /// one that stopped at small terms would not see the other).
    /// </summary>
    private static Part BetaBinomialPart(long n, double a, double b, double tiny, long top = long.MaxValue)
    {
        if (a <= 0 || n == 0) return new Part(0, [1], 0);
        if (b <= 0) return new Part((int)Math.Min(n, int.MaxValue), [1], 0);
        if (a < 1 || b < 1) tiny = 0;
        // The mode of the beta-binomial is near n·(a − 1)/(a + b − 2) (bounded to 0..n); the walk outward finds the rest.
        long mode = a + b > 2 ? Math.Clamp((long)Math.Round(n * Math.Max(0, a - 1) / (a + b - 2)), 0, n) : 0;
        double logMode = SpecialFunctions.GammaLn(n + 1) - SpecialFunctions.GammaLn(mode + 1) - SpecialFunctions.GammaLn(n - mode + 1)
            + SpecialFunctions.GammaLn(mode + a) + SpecialFunctions.GammaLn(n - mode + b) - SpecialFunctions.GammaLn(n + a + b)
            - SpecialFunctions.GammaLn(a) - SpecialFunctions.GammaLn(b) + SpecialFunctions.GammaLn(a + b);
        return Trimmed(n, mode, logMode, k => (double)(n - k) / (k + 1) * (k + a) / (n - k - 1 + b), tiny, top);
    }

    /// <summary>
    /// A law on 0..<paramref name="n"/> from a point near its mode outward, by the ratio of each count's probability to
    /// the one below it (no term is worked out from one that underflowed), for counts up to <paramref name="top"/>. With
    /// <paramref name="tiny"/> above 0 (the law log-concave) the walk stops where the terms fall under it: past the mode
    /// the ratios only shrink, so what is left beyond a term p whose next ratio is r is at most p / (1 − r), and that
    /// bound, both sides, is the part's lost mass. Counts above <paramref name="top"/> are left out, not counted as lost.
    /// </summary>
    private static Part Trimmed(long n, long mode, double logMode, Func<long, double> ratioUp, double tiny, long top)
    {
        double atMode = Math.Exp(logMode);
        var up = new List<double>();
        double lost = 0, p = atMode;
        for (long k = mode; k <= Math.Min(n, top); k++)
        {
            if (p < tiny && k > mode && ratioUp(k) is var r && r < 1)
            {
                lost += p / (1 - r);
                break;
            }
            up.Add(p);
            if (k < n) p *= ratioUp(k);
        }
        var down = new List<double>();
        p = atMode;
        long lo = Math.Min(mode, top + 1);
        for (long k = mode - 1; k >= 0; k--)
        {
            p /= ratioUp(k);
            if (p < tiny && (k > 0 ? 1 / ratioUp(k - 1) : 0) is var r && r < 1)
            {
                lost += p / (1 - r);
                break;
            }
            if (k > top) continue;
            down.Add(p);
            lo = k;
        }
        down.Reverse();
        down.AddRange(up);
        return new Part((int)lo, [.. down], lost);
    }

    /// <summary>A part's probabilities as an array over the counts 0..<paramref name="below"/> − 1.</summary>
    private static double[] Dense(Part part, int below)
    {
        var pmf = new double[Math.Max(0, below)];
        for (int j = 0; j < part.P.Length && part.Lo + j < below; j++) pmf[part.Lo + j] = part.P[j];
        return pmf;
    }
}
