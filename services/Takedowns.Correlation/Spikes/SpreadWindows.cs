using MathNet.Numerics;

namespace Takedowns.Correlation.Spikes;

/// <summary>
/// A sparse cell's windows under its posterior predictive, each window's count read together with how many of its days
/// have reports. Three reports on three days running, in a cell that sees one a season, are a sustained rise; three on
/// one day are one occasion (often one account's posts removed together). Of two outcomes with the same count in a
/// window, the one spread over more days is taken as the more extreme, an order fixed before any data is seen:
/// p(s, d) = P(S &gt; s) + P(S = s)·P(D ≥ d | S = s), where S is the window's count and D its days with reports. Given S = s,
/// the reports fall on the window's days as a multinomial with the days' weights whatever the cell's rate (Poisson days
/// of one rate), so P(D ≥ d | s) needs no rate, and the test is exact under the same law as the count's own: against the
/// count alone it gives the same p-value for a clump on one day and a smaller one for a spread-out rise (three on three
/// days: about a fifth of P(S ≥ 3) at small rates).
/// <para>
/// The windows (all ending on the day assessed) are combined by the exact chance that any of them reaches the least
/// p-value, as <see cref="NestedWindows"/> does for counts alone: the widest window's count S₀ is negative binomial, and
/// given S₀ its reports fall on its days as a multinomial, which is summed over day by day from the last, a branch
/// ending as soon as a window it completes reaches the least p-value. Branches less likely than a billionth of that
/// p-value are counted as reaching, so the chance is never below the exact one.
/// </para>
/// </summary>
public sealed class SpreadWindows
{
    private readonly double _size, _rate;
    private readonly int[] _windows;
    private readonly double[] _days, _exposure;
    private readonly int _minCount;
    private readonly Dictionary<(int Window, int Count), double[]> _pValues = [];

    /// <param name="windows">The windows' lengths in days.</param>
    /// <param name="dayWeights">The weights of the widest window's days (day-of-week factor, share in by now; times any
    /// elevation the rate is tested at), the day assessed first.</param>
    public SpreadWindows(GammaPrior prior, long baseline, double baselineExposure, IReadOnlyList<int> windows, IReadOnlyList<double> dayWeights, int minCount)
    {
        _size = prior.Shape + baseline;
        _rate = prior.Rate + baselineExposure;
        _windows = [.. windows];
        _days = [.. dayWeights];
        _minCount = Math.Max(1, minCount);
        if (_days.Length < _windows.Max()) throw new ArgumentException("Every window's days need a weight.", nameof(dayWeights));
        _exposure = new double[_days.Length + 1];
        for (int j = 0; j < _days.Length; j++) _exposure[j + 1] = _exposure[j] + _days[j];
    }

    /// <summary>
    /// Window <paramref name="window"/>'s p-value (an index into the windows given) at <paramref name="count"/> reports on
    /// <paramref name="activeDays"/> of its days: 1 below the fewest reports a window counts.
    /// </summary>
    public double PValue(int window, int count, int activeDays)
    {
        if (count < _minCount) return 1;
        var row = Row(window, count);
        return row[Math.Clamp(activeDays, 0, row.Length - 1)];
    }

    /// <summary>The least p-value over the windows at these counts and days with reports (one each, in the windows' order).</summary>
    public double Least(IReadOnlyList<int> counts, IReadOnlyList<int> activeDays)
    {
        double least = 1;
        for (int i = 0; i < _windows.Length; i++) least = Math.Min(least, PValue(i, counts[i], activeDays[i]));
        return least;
    }

    /// <summary>
    /// The least p-value any window could give with <paramref name="events"/> reports in the cell's baseline and widest
    /// window together: all of them in the window, on as many days as it has, and none in the baseline (a baseline with
    /// fewer events makes the posterior stochastically smaller, so its tails too). The combination is never below the
    /// least of its windows' p-values, so this is the cell's floor for Tarone's family.
    /// </summary>
    public static double Floor(GammaPrior prior, long events, double baselineExposure, IReadOnlyList<int> windows, IReadOnlyList<double> dayWeights, int minCount)
    {
        if (events > int.MaxValue / 2) return 0;
        var law = new SpreadWindows(prior, 0, baselineExposure, windows, dayWeights, minCount);
        double least = 1;
        for (int i = 0; i < windows.Count; i++) least = Math.Min(least, law.PValue(i, (int)events, (int)Math.Min(events, windows[i])));
        return least;
    }

    /// <summary>The chance that the widest window's count alone reaches <paramref name="x"/> (P(S₀ ≥ c) at the count c from
    /// which it does on any days): a lower bound on <see cref="ChanceAnyAtMost"/>.</summary>
    public double WidestChance(double x)
    {
        if (x >= 1) return 1;
        int widest = Widest;
        return CountTail(Critical(widest, x), _exposure[_windows[widest]]);
    }

    /// <summary>P(some window's p-value ≤ <paramref name="x"/>) under the law.</summary>
    public double ChanceAnyAtMost(double x)
    {
        if (x >= 1) return 1;
        if (x <= 0) return 0;
        int widest = Widest, length = _windows[widest];
        double exposure = _exposure[length];
        int critical = Critical(widest, x);
        double reached = CountTail(critical, exposure), tiny = x * 1e-9;
        // The windows that the day-by-day walk completes after each day (a window of w days after the w-th).
        var completing = Enumerable.Range(1, length).Select(d => Enumerable.Range(0, _windows.Length).Where(i => _windows[i] == d).ToArray()).ToArray();
        double mean = _size * exposure / _rate;
        for (int s0 = _minCount; s0 < critical; s0++)
        {
            double p0 = CountPmf(s0, exposure);
            if (p0 < tiny && s0 > mean)
            {
                // Past the mode the counts only grow less likely: the rest up to the critical count, as if all reached.
                reached += Math.Max(0, CountTail(s0, exposure) - CountTail(critical, exposure));
                break;
            }
            if (p0 < tiny) reached += p0;
            else if (p0 > 0) reached += p0 * Branch(0, s0, 0, 0, 1, p0);
        }
        return Math.Clamp(reached, 0, 1);

        // The chance, given what the days before day j hold (count so far, days with reports so far) and r reports left
        // for days j.. of the widest window, that some window completed from here on reaches x.
        double Branch(int j, int r, int count, int active, double chance, double p0)
        {
            double share = Share(j, length);
            double total = 0;
            for (int k = 0; k <= r; k++)
            {
                double pk = share >= 1 ? (k == r ? 1 : 0) : Binomial(r, k, share);
                if (pk <= 0) continue;
                double branch = chance * pk;
                if (branch * p0 < tiny)
                {
                    total += pk;
                    continue;
                }
                int c = count + k, a = active + (k > 0 ? 1 : 0);
                if (completing[j].Any(i => PValue(i, c, a) <= x * (1 + 1e-12))) total += pk;
                else if (j + 1 < length) total += pk * Branch(j + 1, r - k, c, a, branch, p0);
            }
            return total;
        }
    }

    private int Widest => Array.IndexOf(_windows, _windows.Max());

    /// <summary>The smallest count from which window <paramref name="window"/> reaches <paramref name="x"/> on any days.</summary>
    private int Critical(int window, double x)
    {
        double exposure = _exposure[_windows[window]];
        int lo = _minCount;
        if (CountTail(lo, exposure) <= x) return lo;
        int hi = lo;
        while (CountTail(hi, exposure) > x)
        {
            if (hi > int.MaxValue / 4) return int.MaxValue;
            hi *= 2;
        }
        while (hi - lo > 1)
        {
            int mid = lo + (hi - lo) / 2;
            if (CountTail(mid, exposure) <= x) hi = mid;
            else lo = mid;
        }
        return hi;
    }

    /// <summary>Window <paramref name="window"/>'s p-values at <paramref name="count"/> reports on 0.. of its days.</summary>
    private double[] Row(int window, int count)
    {
        if (_pValues.TryGetValue((window, count), out var row)) return row;
        int length = _windows[window];
        double exposure = _exposure[length];
        double above = CountTail(count + 1, exposure), at = CountPmf(count, exposure);
        var spread = ActiveDays(count, length);
        row = new double[length + 1];
        double atLeast = 0;
        for (int d = length; d >= 0; d--)
        {
            atLeast += d < spread.Length ? spread[d] : 0;
            row[d] = Math.Min(1, above + at * Math.Min(1, atLeast));
        }
        return _pValues[(window, count)] = row;
    }

    /// <summary>P(D = d | S = <paramref name="count"/>) for the first <paramref name="length"/> days: the reports dealt to the
    /// days one at a time, each day's share of what is left binomial.</summary>
    private double[] ActiveDays(int count, int length)
    {
        // now[r, a]: the chance that r reports are left for the days after j, a days so far having some.
        var now = new double[count + 1, length + 1];
        var next = new double[count + 1, length + 1];
        now[count, 0] = 1;
        for (int j = 0; j < length; j++)
        {
            double share = Share(j, length);
            Array.Clear(next);
            for (int r = 0; r <= count; r++)
                for (int a = 0; a <= j; a++)
                {
                    double p = now[r, a];
                    if (p <= 0) continue;
                    if (r == 0) next[0, a] += p;
                    else if (share >= 1) next[0, a + 1] += p;
                    else
                    {
                        next[r, a] += p * Math.Pow(1 - share, r);
                        for (int k = 1; k <= r; k++) next[r - k, a + 1] += p * Binomial(r, k, share);
                    }
                }
            (now, next) = (next, now);
        }
        var result = new double[length + 1];
        for (int a = 0; a <= length; a++) result[a] = now[0, a];
        return result;
    }

    /// <summary>Day <paramref name="j"/>'s share of the weight of days j.. of the first <paramref name="length"/> (1 on the last).</summary>
    private double Share(int j, int length)
    {
        double left = _exposure[length] - _exposure[j];
        return j == length - 1 || left <= 0 ? 1 : Math.Clamp(_days[j] / left, 0, 1);
    }

    private double CountTail(int count, double exposure) =>
        count == int.MaxValue ? 0 : NegativeBinomialTail.AtLeast(count, _size * exposure / _rate, _size);

    private double CountPmf(int count, double exposure)
    {
        double mean = _size * exposure / _rate;
        if (mean <= 0) return count == 0 ? 1 : 0;
        return Math.Exp(SpecialFunctions.GammaLn(count + _size) - SpecialFunctions.GammaLn(_size) - SpecialFunctions.GammaLn(count + 1)
            + _size * Math.Log(_size / (_size + mean)) + count * Math.Log(mean / (_size + mean)));
    }

    private static double Binomial(int n, int k, double p) =>
        p <= 0 ? (k == 0 ? 1 : 0) : p >= 1 ? (k == n ? 1 : 0)
        : Math.Exp(SpecialFunctions.BinomialLn(n, k) + k * Math.Log(p) + (n - k) * Math.Log(1 - p));
}
