namespace Takedowns.Correlation.Spikes;

/// <summary>
/// The rate and overdispersion of a baseline's daily counts, robust to bursts the baseline itself holds (earlier spikes,
/// planted or real): the outlier rule of Farrington et al. (1996) and Noufaily et al. (2013), with moment equations
/// made consistent for the days it leaves out.
/// <para>
/// Day i's count is negative binomial with mean μᵢ = m·rᵢ (rᵢ: the day's weight relative to an ordinary day, its
/// day-of-week factor times the share of its reports in by now) and variance μᵢ + α·μᵢ² (α = 1/size). A day is left out
/// when its Anscombe residual, that of the quasi-Poisson fit Noufaily et al. use with the negative binomial's
/// variance-to-mean ratio 1 + α·μᵢ as its dispersion, 3/2·(yᵢ^⅔ − μᵢ^⅔) / (μᵢ^⅙·√(1 + α·μᵢ)), is above 2.58, i.e. when
/// its count is above a cut-off uᵢ(m, α).
/// </para>
/// <para>
/// Leaving the upper tail out also takes off what an overdispersed law puts there, which at small counts is most of its
/// excess variance (at a mean of 1.5 and size 5, days of 6 or more, 1.3 % of days, carry over half of it): reweighting
/// and then taking moments, as the surveillance methods do, gives sizes far too large (less overdispersion, more false
/// alarms) on days that really vary. So the kept days are compared with what the law itself would leave after the same
/// cut: α solves N/(N − 1)·Σ_kept (yᵢ − μᵢ)² = Σᵢ E[(Yᵢ − μᵢ)²; Yᵢ ≤ uᵢ], and m solves Σ_kept yᵢ = Σᵢ E[Yᵢ; Yᵢ ≤ uᵢ]
/// (moment equations made Fisher-consistent: on data from the law they hold, in expectation, at the law's m and α), in turns.
/// </para>
/// <para>
/// Several bursts inflate the variance so much that none of them stands out against it (three days of 8 among days of 1
/// to 2 give a plain size of 0.5, under which 8 is 1.5 standard residuals), so the equation for α can hold there too.
/// Its root is looked for upward from Poisson (α = 0), and the smallest is taken: the least overdispersion the kept days
/// are consistent with, which a burst cannot inflate by hiding behind the variance it adds.
/// </para>
/// <para>
/// With a confidence c, the kept days' spread is first widened to the top of its one-sided range at c, by
/// (N − 1)/χ²(N − 1) at 1 − c (normal theory): 84 days pin α down only loosely, most of all at small means where most of a
/// day's variance is Poisson noise, and a plug-in α from the lucky side of that range makes far-tail p-values too small.
/// </para>
/// </summary>
public static class RobustDispersion
{
    /// <summary>Anscombe residuals above this leave the fit (Noufaily et al. 2013: the 99.5 % point of a normal).</summary>
    public const double Cutoff = 2.58;

    /// <summary>Largest α (smallest size, 0.5) the fit looks at.</summary>
    public const double MaxAlpha = 2;

    /// <summary>
    /// Fits <paramref name="counts"/> (one per usable baseline day) with day weights <paramref name="relative"/> (same
    /// length, all positive). Returns the robust mean of an ordinary day (m) and α = 1/size, at least 0 (0: Poisson) and
    /// at most <see cref="MaxAlpha"/>. Null when there are fewer than 2 days or no events.
    /// </summary>
    /// <param name="confidence">0: the point estimate; else α at the top of its one-sided range at this confidence, the kept
    /// days' spread widened by <see cref="Widening"/>.</param>
    /// <param name="ceiling">Where α is only wanted if below this, the fit stops as soon as it is not (and returns it).</param>
    public static (double Mean, double Alpha)? Fit(ReadOnlySpan<int> counts, ReadOnlySpan<double> relative, double confidence = 0, double ceiling = MaxAlpha)
    {
        int n = counts.Length;
        if (n < 2 || relative.Length != n) return null;
        double sumY = 0, sumR = 0;
        for (int i = 0; i < n; i++) (sumY, sumR) = (sumY + counts[i], sumR + relative[i]);
        if (sumY <= 0 || sumR <= 0) return null;
        var fit = new Fitter(counts, relative, confidence > 0 ? Widening(n, confidence) : 1);
        double mean = sumY / sumR, alpha = 0;
        for (int round = 0; round < 8; round++)
        {
            double nextAlpha = fit.Alpha(mean, Math.Min(ceiling, MaxAlpha));
            if (nextAlpha >= ceiling) return (mean, ceiling);
            double nextMean = fit.Mean(mean, nextAlpha);
            bool settled = Math.Abs(nextAlpha - alpha) <= 1e-3 * nextAlpha && Math.Abs(nextMean - mean) <= 1e-4 * mean;
            (mean, alpha) = (nextMean, nextAlpha);
            if (settled) break;
        }
        return (mean, alpha);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int, double), double> Widenings = new();

    /// <summary>
    /// (N − 1) / χ²(N − 1) at 1 − <paramref name="confidence"/>: what a spread of N days is multiplied by to stand at the
    /// top of its one-sided range at that confidence (normal theory).
    /// </summary>
    public static double Widening(int n, double confidence) => n < 2 ? 1 :
        Widenings.GetOrAdd((n, confidence), k => (k.Item1 - 1) / MathNet.Numerics.Distributions.ChiSquared.InvCDF(k.Item1 - 1, 1 - k.Item2));

    /// <summary>
    /// The Anscombe residual of a count <paramref name="y"/> with mean <paramref name="mu"/> under a quasi-Poisson of
    /// dispersion 1 + α·μ (the negative binomial's variance-to-mean ratio at that mean).
    /// </summary>
    public static double Anscombe(int y, double mu, double alpha)
    {
        if (mu <= 0) return y > 0 ? double.PositiveInfinity : 0;
        return 1.5 * (Math.Cbrt((double)y * y) - Math.Cbrt(mu * mu)) / (Math.Pow(mu, 1.0 / 6) * Math.Sqrt(1 + alpha * mu));
    }

    /// <summary>The days grouped by their weight (a baseline has one per weekday where every day is complete).</summary>
    private readonly ref struct Fitter
    {
        private readonly ReadOnlySpan<int> _counts;
        private readonly ReadOnlySpan<double> _relative;
        private readonly double[] _groups;
        private readonly int[] _groupOf;
        private readonly int[] _sizes;
        private readonly int[] _highest;
        private readonly double _widening;
        /// <summary>Per group, μ^⅔ and μ^⅙ at the mean they were last worked out for (kept in <see cref="_at"/>).</summary>
        private readonly double[] _twoThirds, _sixth, _at;

        public Fitter(ReadOnlySpan<int> counts, ReadOnlySpan<double> relative, double widening)
        {
            _widening = widening;
            _counts = counts;
            _relative = relative;
            var groups = new List<double>();
            _groupOf = new int[counts.Length];
            for (int i = 0; i < counts.Length; i++)
            {
                int g = groups.IndexOf(relative[i]);
                if (g < 0) (g, _) = (groups.Count, Add(groups, relative[i]));
                _groupOf[i] = g;
            }
            _groups = [.. groups];
            _sizes = new int[_groups.Length];
            foreach (int g in _groupOf) _sizes[g]++;
            _highest = new int[_groups.Length];
            (_twoThirds, _sixth, _at) = (new double[_groups.Length], new double[_groups.Length], [double.NaN]);

            static bool Add(List<double> list, double value)
            {
                list.Add(value);
                return true;
            }
        }

        /// <summary>
        /// D(α) = N/(N − 1)·Σ over kept days of (y − μ)² − Σ over days of E[(Y − μ)²; Y kept], Y negative binomial (μ, α):
        /// the kept days' spread against what the law would leave after the same trimming.
        /// </summary>
        /// <summary>The largest count of group <paramref name="g"/> kept: y^⅔ ≤ μ^⅔ + 2.58/1.5·μ^⅙·√(1 + α·μ).</summary>
        private int Kept(int g, double mean, double alpha)
        {
            if (!(_at[0] == mean))
            {
                for (int j = 0; j < _groups.Length; j++)
                    (_twoThirds[j], _sixth[j]) = (Math.Cbrt(mean * _groups[j] * mean * _groups[j]), Math.Pow(mean * _groups[j], 1.0 / 6));
                _at[0] = mean;
            }
            double mu = mean * _groups[g];
            if (mu <= 0) return 0;
            double root = _twoThirds[g] + Cutoff / 1.5 * _sixth[g] * Math.Sqrt(1 + alpha * mu);
            long y = (long)Math.Floor(Math.Pow(root, 1.5));
            while (y > 0 && Math.Cbrt((double)y * y) > root) y--;
            while (Math.Cbrt((double)(y + 1) * (y + 1)) <= root) y++;
            return (int)Math.Min(y, int.MaxValue - 1);
        }

        /// <summary>
        /// What the law leaves on the kept days, summed over the groups of days alike: the sum and the sum of squared
        /// deviations. Sets each group's highest kept count (<c>_highest</c>) as it goes.
        /// </summary>
        private (double Sum, double Square) ExpectedKept(double mean, double alpha)
        {
            double sum = 0, square = 0;
            for (int g = 0; g < _groups.Length; g++)
            {
                _highest[g] = Kept(g, mean, alpha);
                var (s, q) = Truncated(mean * _groups[g], alpha, _highest[g]);
                sum += _sizes[g] * s;
                square += _sizes[g] * q;
            }
            return (sum, square);
        }

        private double Gap(double mean, double alpha)
        {
            var highest = _highest;
            double expected = ExpectedKept(mean, alpha).Square;
            double observed = 0;
            for (int i = 0; i < _counts.Length; i++)
            {
                if (_counts[i] > highest[_groupOf[i]]) continue;
                double d = _counts[i] - mean * _relative[i];
                observed += d * d;
            }
            return observed * _widening * _counts.Length / (_counts.Length - 1.0) - expected;
        }

        /// <summary>
        /// The smallest α ≥ 0 at which the kept days' spread is no more than the law's. The gap is not monotone in α: a
        /// higher α raises every day's cut-off, and a burst's day that passes under it adds its whole deviation at once. So
        /// the search walks up the values of α at which a day left out at Poisson comes back in: between two of them the
        /// same days are kept and the gap falls as α rises, and the first stretch whose gap reaches 0 before its end holds
        /// the root, found by bisection. (A coarse geometric grid stepped over the stretch where a burst was still left out
        /// into the α at which it explains itself, and took that.) Bursts leave at small α, so they cannot inflate it.
        /// </summary>
        public double Alpha(double mean, double ceiling)
        {
            if (Gap(mean, 0) <= 0) return 0;
            double low = 0;
            foreach (double entry in Entries(mean, ceiling))
            {
                // The same days are kept from low up to just below the entry.
                double below = entry >= ceiling ? ceiling : entry * (1 - 1e-9);
                if (Gap(mean, below) <= 0) return Bisect(mean, low, below);
                if (entry >= ceiling) break;
                low = entry;
            }
            return ceiling;
        }

        /// <summary>
        /// The values of α below <paramref name="ceiling"/> at which a day left out at Poisson is kept (its count reaches the
        /// cut-off, y^⅔ = μ^⅔ + 2.58/1.5·μ^⅙·√(1 + α·μ)), ascending, then the ceiling.
        /// </summary>
        private List<double> Entries(double mean, double ceiling)
        {
            var entries = new List<double>();
            for (int i = 0; i < _counts.Length; i++)
            {
                double mu = mean * _relative[i];
                if (mu <= 0 || _counts[i] <= Kept(_groupOf[i], mean, 0)) continue;
                double ratio = (Math.Cbrt((double)_counts[i] * _counts[i]) - Math.Cbrt(mu * mu)) / (Cutoff / 1.5 * Math.Pow(mu, 1.0 / 6));
                double entry = (ratio * ratio - 1) / mu;
                if (entry > 0 && entry < ceiling) entries.Add(entry);
            }
            entries.Sort();
            entries.Add(ceiling);
            return entries;
        }

        /// <summary>The root of the gap between <paramref name="low"/> (gap above 0, or 0) and <paramref name="high"/> (gap at most 0), by geometric bisection.</summary>
        private double Bisect(double mean, double low, double high)
        {
            if (low <= 0)
            {
                low = high * 1e-4;
                if (Gap(mean, low) <= 0) return low;
            }
            for (int step = 0; step < 12; step++)
            {
                double mid = Math.Sqrt(low * high);
                if (Gap(mean, mid) > 0) low = mid;
                else high = mid;
            }
            return high;
        }

        /// <summary>
        /// The mean of an ordinary day at which the kept days hold as many events as the law leaves after the same trimming
        /// (a few rounds of m ← m·observed / expected).
        /// </summary>
        public double Mean(double mean, double alpha)
        {
            for (int round = 0; round < 4; round++)
            {
                var highest = _highest;
                double expected = ExpectedKept(mean, alpha).Sum;
                double observed = 0;
                for (int i = 0; i < _counts.Length; i++)
                    if (_counts[i] <= highest[_groupOf[i]]) observed += _counts[i];
                if (expected <= 0 || observed <= 0) return mean;
                double next = mean * observed / expected;
                bool settled = Math.Abs(next - mean) <= 1e-6 * mean;
                mean = next;
                if (settled) break;
            }
            return mean;
        }
    }

    /// <summary>
    /// E[Y; Y ≤ <paramref name="highest"/>] and E[(Y − μ)²; Y ≤ <paramref name="highest"/>] for Y negative binomial of mean
    /// <paramref name="mu"/> and variance μ + α·μ² (Poisson at α = 0), summed term by term.
    /// </summary>
    public static (double Sum, double Square) Truncated(double mu, double alpha, int highest)
    {
        if (highest < 0 || mu <= 0) return (0, mu <= 0 ? 0 : 0);
        double size = alpha > 0 ? 1 / alpha : double.PositiveInfinity;
        // log P(Y = 0), then P(Y = y + 1) = P(Y = y)·(y + size)/(y + 1)·μ/(size + μ) (Poisson: ·μ/(y + 1)).
        double logP = alpha > 0 ? -size * Math.Log(1 + alpha * mu) : -mu;
        double q = alpha > 0 ? mu / (size + mu) : mu;
        double sum = 0, square = 0;
        if (logP > -700)
        {
            double p = Math.Exp(logP);
            for (int y = 0; y <= highest; y++)
            {
                double d = y - mu;
                (sum, square) = (sum + p * y, square + p * d * d);
                p *= alpha > 0 ? (y + size) / (y + 1) * q : q / (y + 1);
            }
            return (sum, square);
        }
        for (int y = 0; y <= highest; y++)
        {
            double p = Math.Exp(logP), d = y - mu;
            (sum, square) = (sum + p * y, square + p * d * d);
            logP += Math.Log(alpha > 0 ? (y + size) / (y + 1) * q : q / (y + 1));
        }
        return (sum, square);
    }
}
