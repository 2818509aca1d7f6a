using Takedowns.Escalation.Remedies;

namespace Takedowns.Escalation.Tests.Remedies;

public sealed class KaplanMeierTests
{
    [Fact]
    public void the_estimate_matches_one_worked_by_hand_with_censored_accounts()
    {
        // Restored on days 2, 3, 3 and 8; still down when last seen on days 5 and 10.
        var km = new KaplanMeier([new(2, true), new(3, true), new(3, true), new(5, false), new(8, true), new(10, false)]);
        Assert.Equal(6, km.Count);
        Assert.Equal(4, km.Restored);
        Assert.Equal(1, km.SurvivalAt(1));
        Assert.Equal(5.0 / 6, km.SurvivalAt(2), 10);          // 1 of 6 at risk restored
        Assert.Equal(5.0 / 6 * 3 / 5, km.SurvivalAt(4), 10);  // then 2 of 5
        Assert.Equal(0.5 * 1 / 2, km.SurvivalAt(9), 10);      // the day-5 account left the risk set censored: 1 of 2
        Assert.Equal(3, km.Median);
        Assert.Equal(0.5, km.RestoredBy(7), 10);
        Assert.Equal(0.75, km.RestoredBy(30), 10);
        var (low, high) = km.MedianInterval;
        Assert.True(low is null || low <= km.Median);
        Assert.True(high is null || high >= km.Median);
    }

    [Fact]
    public void censored_accounts_are_not_dropped_and_a_curve_that_never_reaches_half_has_no_median()
    {
        // Two restored fast, eight never: the restored alone would say "two days"; half were never restored.
        var waits = Enumerable.Repeat(new Wait(2, true), 2).Concat(Enumerable.Repeat(new Wait(60, false), 8)).ToList();
        var km = new KaplanMeier(waits);
        Assert.Null(km.Median);
        Assert.Equal(0.2, km.RestoredBy(90), 10);
        // Ten accounts cannot rule out a median as early as day 2 (the curve's lower band is 0.41 there), and nothing
        // bounds it above.
        Assert.Equal((2, null), km.MedianInterval);
        Assert.Null(new KaplanMeier([]).Median);
        Assert.Equal(0, new KaplanMeier([]).RestoredBy(7));
    }

    [Fact]
    public void with_many_accounts_the_medians_interval_brackets_it_and_narrows()
    {
        var rng = new Random(5);
        KaplanMeier Of(int n) => new(Enumerable.Range(0, n).Select(_ =>
        {
            int days = (int)(-Math.Log(1 - rng.NextDouble()) * 20); // exponential, median about 14 days
            int seen = rng.Next(5, 120);
            return days <= seen ? new Wait(days, true) : new Wait(seen, false);
        }).ToList());
        var small = Of(40);
        var large = Of(4000);
        Assert.InRange(large.Median!.Value, 11, 17);
        var (low, high) = large.MedianInterval;
        Assert.True(low <= large.Median && large.Median <= high, $"{low} to {high} around {large.Median}");
        var (smallLow, smallHigh) = small.MedianInterval;
        Assert.True(smallLow is null || smallHigh is null || smallHigh - smallLow >= high - low);
    }
}
