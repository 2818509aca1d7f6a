using MathNet.Numerics.Distributions;
using Takedowns.Correlation.Campaigns;

namespace Takedowns.Correlation.Tests.Campaigns;

public sealed class ClusterSignificanceTests
{
    private static readonly DateOnly Day0 = new(2026, 3, 1);

    [Theory]
    [InlineData(5, 5, 1 / 29.0)]
    [InlineData(40, 3, 0.02)]
    [InlineData(200, 30, 0.05)]
    [InlineData(1000, 4, 0.01)]
    [InlineData(1000, 40, 0.01)]
    public void the_binomial_tail_is_exact_far_into_the_tail(int n, int k, double p)
    {
        // Each term C(n, x) p^x (1-p)^(n-x) from k to n, as MathNet gives it.
        double expected = 0;
        for (int x = k; x <= n; x++) expected += Math.Exp(Binomial.PMFLn(p, n, x));
        Assert.Equal(expected, ClusterSignificance.BinomialTail(n, k, p), expected * 1e-9);
    }

    [Fact]
    public void the_binomial_tail_at_its_edges()
    {
        Assert.Equal(1, ClusterSignificance.BinomialTail(10, 0, 0.3));
        Assert.Equal(0, ClusterSignificance.BinomialTail(10, 11, 0.3));
        Assert.Equal(Math.Pow(1 / 29.0, 5), ClusterSignificance.BinomialTail(5, 5, 1 / 29.0), 1e-20);
        Assert.Equal(1 - Binomial.CDF(0.4, 30, 9), ClusterSignificance.BinomialTail(30, 10, 0.4), 1e-12); // below the mean: one less the lower tail
    }

    private static double Rise(IReadOnlyList<DateOnly> members, Func<DateOnly, long> family, long noticesPerDay = 100) =>
        ClusterSignificance.Rise(members, family, _ => noticesPerDay, [1, 3, 7], 84);

    [Fact]
    public void a_steady_sender_is_not_a_rise_and_a_new_family_is_with_a_p_value_far_under_a_thousandth()
    {
        var today = Day0.AddDays(100);
        var five = Enumerable.Repeat(today, 5).ToList();
        // The same notice five times a day, every day: five today is its usual volume.
        Assert.True(Rise(five, _ => 5) > 0.3);
        // Nothing like it before: five in a day against 84 days of others' notices, (1/85)^5 in the one-day window, times
        // the day's 100 notices (any of which could have begun a family) and the 3 windows.
        double fresh = Rise(five, _ => 0);
        Assert.Equal(3 * 100 * Math.Pow(1 / 85.0, 5), fresh, 1e-15);
        Assert.True(fresh < 1e-6);
        // A sudden rise of a known sender: forty in a day where it sends one.
        Assert.True(Rise(Enumerable.Repeat(today, 40).ToList(), _ => 1) < 1e-9);
        // Two in a day of a new family: as many new families as the day has notices could show that.
        Assert.True(Rise([today, today], _ => 0) > 0.01);
        // No history before the window: nothing to compare with.
        Assert.Equal(1, ClusterSignificance.Rise(five, _ => 0, d => d == today ? 100 : 0, [1, 3, 7], 84));
    }

    [Fact]
    public void on_steady_families_the_rise_test_is_significant_no_more_often_than_its_level()
    {
        var random = new Random(3);
        var today = Day0.AddDays(100);
        foreach (double rate in new[] { 0.3, 2, 12 })
        {
            int trials = 4000, under = 0;
            for (int t = 0; t < trials; t++)
            {
                // A family with the same rate every day; the "cluster" is all its notices of the last week.
                var counts = Enumerable.Range(0, 91).ToDictionary(d => today.AddDays(-d), _ => (long)Poisson.Sample(random, rate));
                var members = counts.Where(c => c.Key > today.AddDays(-7)).SelectMany(c => Enumerable.Repeat(c.Key, (int)c.Value)).ToList();
                if (members.Count == 0) continue;
                if (Rise(members, d => counts.GetValueOrDefault(d)) <= 0.01) under++;
            }
            Assert.True(under <= trials * 0.01, $"rate {rate}: {under} of {trials} at p <= 0.01");
        }
    }

    private static DateTimeOffset At(DateOnly day, double hours) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(hours);

    [Fact]
    public void reports_within_an_hour_of_a_spread_stratum_are_bunched_and_spread_ones_are_not()
    {
        var stratum = new Dictionary<string, IReadOnlyDictionary<DateOnly, long>>
        {
            ["yt|copyright"] = Enumerable.Range(0, 200).ToDictionary(d => Day0.AddDays(d), _ => 10L),
        };
        var withinAnHour = Enumerable.Range(0, 6).Select(i => (ClusterSignificance.Interval(At(Day0.AddDays(120), 9 + i / 5.0)), "yt|copyright")).ToList();
        Assert.Equal(6 * Math.Pow(1 / (200 * 24.0), 5), ClusterSignificance.Bunching(withinAnHour, stratum), 1e-24);
        // Known only by their date (noon): as bunched as six anywhere in that day.
        var datesOnly = Enumerable.Repeat((ClusterSignificance.Interval(At(Day0.AddDays(120), 12)), "yt|copyright"), 6).ToList();
        Assert.Equal(6 * Math.Pow(1 / 200.0, 5), ClusterSignificance.Bunching(datesOnly, stratum), 1e-15);
        var spread = Enumerable.Range(0, 6).Select(i => (ClusterSignificance.Interval(At(Day0.AddDays(30 * i), 9)), "yt|copyright")).ToList();
        Assert.True(ClusterSignificance.Bunching(spread, stratum) > 0.1);
    }

    [Fact]
    public void on_times_drawn_from_their_strata_bunching_is_significant_no_more_often_than_its_level()
    {
        var random = new Random(5);
        // A stratum whose notices bunch into ten days, and a steady one.
        var strata = new Dictionary<string, IReadOnlyDictionary<DateOnly, long>>
        {
            ["bursty"] = Enumerable.Range(0, 120).ToDictionary(d => Day0.AddDays(d), d => d is >= 40 and < 50 ? 60L : 1L),
            ["steady"] = Enumerable.Range(0, 120).ToDictionary(d => Day0.AddDays(d), _ => 5L),
        };
        DateTimeOffset Draw(IReadOnlyDictionary<DateOnly, long> days)
        {
            double x = random.NextDouble() * days.Values.Sum();
            foreach (var (day, n) in days.OrderBy(d => d.Key))
                if ((x -= n) < 0) return At(day, random.NextDouble() * 24);
            return At(days.Keys.Max(), 1);
        }
        int trials = 3000;
        foreach (double alpha in new[] { 0.01, 0.05 })
        {
            int under = 0;
            for (int t = 0; t < trials; t++)
            {
                var members = Enumerable.Range(0, 4).Select(i => i % 2 == 0 ? "bursty" : "steady")
                    .Select(s => (ClusterSignificance.Interval(Draw(strata[s])), s)).ToList();
                if (ClusterSignificance.Bunching(members, strata) <= alpha) under++;
            }
            Assert.True(under <= trials * alpha, $"{under} of {trials} at p <= {alpha}");
        }
    }

    [Fact]
    public void online_levels_spend_at_most_the_rate_without_discoveries_and_rise_with_them()
    {
        double spent = 0;
        for (long i = 1; i <= 1_000_000; i++) spent += OnlineDiscovery.Level(0.05, i, 0);
        Assert.True(spent < 0.05, $"{spent}");
        Assert.Equal(0.05 * OnlineDiscovery.Gamma(1), OnlineDiscovery.Level(0.05, 1, 0), 1e-15);
        Assert.Equal(3 * OnlineDiscovery.Level(0.05, 500, 0), OnlineDiscovery.Level(0.05, 500, 3), 1e-18);
        Assert.True(OnlineDiscovery.Level(0.05, 10_000, 0) > 1e-7); // a cluster at 1e-7 is still raised after ten thousand tests
        // Valid under any dependence: the harmonic correction, with one more discovery counted.
        Assert.Equal(0.05 * OnlineDiscovery.Gamma(500) * 4 / OnlineDiscovery.Harmonic(500), OnlineDiscovery.Level(0.05, 500, 3, anyDependence: true), 1e-18);
        Assert.Equal(Enumerable.Range(1, 100).Sum(j => 1.0 / j), OnlineDiscovery.Harmonic(100), 1e-6);
    }
}
