namespace Takedowns.Escalation.Remedies;

/// <summary>One account's wait: days from the takedown until it was restored, or until it was last seen still down (censored).</summary>
public readonly record struct Wait(int Days, bool Restored);

/// <summary>
/// The Kaplan-Meier estimate of the share of accounts still down after a number of days, where accounts never restored
/// (yet) are censored at the day they were last known down rather than dropped: a mean over the restored alone would
/// flatter the platform. The median's 95 % interval is Brookmeyer and Crowley's, from the pointwise intervals of the
/// survival curve on the log(-log) scale with Greenwood's variance.
/// </summary>
public sealed class KaplanMeier
{
    private readonly List<(int Day, double Survival, double Low, double High)> _steps = [];

    public int Count { get; }
    public int Restored { get; }

    public KaplanMeier(IReadOnlyCollection<Wait> waits)
    {
        Count = waits.Count;
        Restored = waits.Count(w => w.Restored);
        int atRisk = waits.Count;
        double survival = 1, greenwood = 0;
        foreach (var day in waits.GroupBy(w => w.Days).OrderBy(g => g.Key))
        {
            int events = day.Count(w => w.Restored);
            if (events > 0)
            {
                survival *= 1 - (double)events / atRisk;
                // Greenwood's sum; undefined once every account at risk is restored (the curve is then 0).
                greenwood += atRisk > events ? (double)events / (atRisk * (atRisk - events)) : double.PositiveInfinity;
                var (low, high) = Interval(survival, greenwood);
                _steps.Add((day.Key, survival, low, high));
            }
            atRisk -= day.Count();
        }
    }

    private static (double Low, double High) Interval(double s, double greenwood)
    {
        if (s <= 0 || s >= 1 || double.IsInfinity(greenwood)) return (s, s);
        double se = Math.Sqrt(greenwood) / Math.Abs(Math.Log(s));
        // S^exp(z*se) is the lower bound, S^exp(-z*se) the upper.
        return (Math.Pow(s, Math.Exp(1.959964 * se)), Math.Pow(s, Math.Exp(-1.959964 * se)));
    }

    /// <summary>The share still down after <paramref name="days"/> days.</summary>
    public double SurvivalAt(int days)
    {
        double survival = 1;
        foreach (var step in _steps.TakeWhile(s => s.Day <= days)) survival = step.Survival;
        return survival;
    }

    /// <summary>The share restored within <paramref name="days"/> days.</summary>
    public double RestoredBy(int days) => 1 - SurvivalAt(days);

    /// <summary>The first day by which half were restored; null when the curve never gets there.</summary>
    public int? Median => _steps.Where(s => s.Survival <= 0.5).Select(s => (int?)s.Day).FirstOrDefault();

    /// <summary>
    /// The median's 95 % interval: from the first day the curve's lower band reaches a half to the first day its upper
    /// band does; an end the data do not reach is null.
    /// </summary>
    public (int? Low, int? High) MedianInterval =>
        (_steps.Where(s => s.Low <= 0.5).Select(s => (int?)s.Day).FirstOrDefault(),
         _steps.Where(s => s.High <= 0.5).Select(s => (int?)s.Day).FirstOrDefault());
}
