using MathNet.Numerics.Distributions;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Spikes;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>The pieces of the alarm budget on known inputs, and the budget holding on simulated data with nothing in it.</summary>
public sealed class SpikeCalibrationTests(ITestOutputHelper output)
{
    private static SliceAssessment Assessed(int i, double p, double floor) => new(new Slice($"K{i}"), p, 0, 2, 1, "test", Floor: floor);

    [Fact]
    public void tests_that_could_never_pass_leave_the_family()
    {
        // Seven tests whose smallest attainable p-value is 0.2 cannot pass at q = 0.05, whatever the family: K = 3 is the
        // first K with at most K floors at or below q / K, so Benjamini-Hochberg runs over the three others (thresholds
        // 0.0167, 0.033, 0.05) and passes all three. Over all ten it would pass none (0.01 > 0.005).
        var assessed = new[] { Assessed(0, 0.01, 0), Assessed(1, 0.02, 0), Assessed(2, 0.04, 0), Assessed(3, 0.2, 0.2) };
        double[] floors = [0, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2];
        var passed = SpikeDetector.Tarone(assessed, floors, 0.05, out int family);
        Assert.Equal(3, family);
        Assert.Equal(["K0", "K1", "K2"], passed.Select(a => a.Slice.Country).Order());
        Assert.Empty(SpikeDetector.BenjaminiHochberg(assessed, 0.05, floors.Length));
    }

    [Fact]
    public void the_family_is_the_first_k_with_at_most_k_floors_below_q_over_k()
    {
        // Floors 0, 0, 0.01 x 3, 0.3 x 5 at q = 0.05: m(1..4) = 5 > K; m(5) = 5 (0.01 <= 0.01): K = 5.
        double[] floors = [0, 0, 0.01, 0.01, 0.01, 0.3, 0.3, 0.3, 0.3, 0.3];
        var assessed = new[] { Assessed(0, 0.009, 0), Assessed(1, 0.011, 0.01) };
        var passed = SpikeDetector.Tarone(assessed, floors, 0.05, out int family);
        Assert.Equal(5, family);
        // Thresholds over 5 tests: 0.01, 0.02: both pass.
        Assert.Equal(2, passed.Count);
        // Nothing with data: nothing passes.
        Assert.Empty(SpikeDetector.Tarone([], [], 0.05, out int none));
        Assert.Equal(0, none);
    }

    [Theory]
    [InlineData(3, 5, 1.5, 40.0)]
    [InlineData(1, 1, 0.3, 9.0)]
    [InlineData(8, 60, 2.0, 120.0)]
    [InlineData(20, 40, 0.5, 0.5)]
    public void the_beta_binomial_tail_is_the_sum_of_its_probabilities(int x, int n, double a, double b)
    {
        double direct = 0;
        for (int j = x; j <= n; j++)
            direct += Math.Exp(MathNet.Numerics.SpecialFunctions.BinomialLn(n, j) + MathNet.Numerics.SpecialFunctions.BetaLn(j + a, n - j + b) -
                               MathNet.Numerics.SpecialFunctions.BetaLn(a, b));
        Assert.Equal(direct, ConditionalTail.BetaBinomialAtLeast(x, n, a, b), 1e-10);
    }

    [Fact]
    public void overdispersion_widens_the_conditional_test_and_vanishes_into_the_binomial()
    {
        // 9 in a day against 84 baseline days of 168: binomial without overdispersion, beta-binomial (heavier) with it.
        double poisson = ConditionalTail.AtLeast(9, 168, 1, 84);
        double almost = ConditionalTail.AtLeast(9, 168, 1, 84, size: 1e5);
        double overdispersed = ConditionalTail.AtLeast(9, 168, 1, 84, size: 2);
        Assert.Equal(poisson, almost, 4);
        Assert.True(overdispersed > 10 * poisson, $"{overdispersed} against {poisson}");
    }

    [Fact]
    public void no_slice_reaches_a_p_value_below_its_floor()
    {
        // The floor is what lets a slice leave the family: it must bound the p-value it is then given, on every day.
        var series = Simulate(new Random(17), countries: 2, days: 160);
        var detector = new SpikeDetector(SpikeSettings.Default);
        int checkedSlices = 0;
        foreach (var day in detector.Days(series, (_, _) => false, series.Origin.AddDays(100), series.DayAt(series.Days - 1), series.DayAt(series.Days - 1).AddDays(1)))
            foreach (var a in day.Assessed.Where(a => a.Cells is null && !a.Method.StartsWith("subset", StringComparison.Ordinal)))
            {
                Assert.True(a.PValue >= a.Floor, $"{a.Slice.Key} on {day.Day}: p {a.PValue} below its floor {a.Floor}");
                checkedSlices++;
            }
        Assert.True(checkedSlices > 100, $"{checkedSlices} assessments");
    }

    [Fact]
    public void on_data_with_nothing_in_it_alarms_stay_within_the_budget()
    {
        // Eight countries for 300 days: sparse cells (0.004 to 0.12 a day) beside dense overdispersed ones (1 to 10 a day,
        // negative-binomial size 1 to 10), nothing planted. What an analyst reads is counted: spikes, every slice and
        // method, per country-year after 100 days of warm-up. At one a country-year the count must stay within two; at
        // twenty a country-year (the budget broken) it does not, which shows the count answers to the budget.
        var series = Simulate(new Random(2026), countries: 8, days: 300);
        var from = series.Origin.AddDays(100);
        var to = series.DayAt(series.Days - 1);
        double countryYears = 8 * (to.DayNumber - from.DayNumber + 1) / 365.25;
        double Rate(double budget) =>
            new SpikeDetector(SpikeSettings.Default with { AlarmsPerCountryYear = budget }).Detect(series, (_, _) => false, series.Origin, to, to.AddDays(1))
                .Count(s => s.FirstAlarm >= from) / countryYears;
        double within = Rate(1), broken = Rate(20);
        output.WriteLine($"false alarms per country-year: {within:F2} at a budget of 1, {broken:F2} at 20");
        Assert.True(within <= 2, $"{within:F2} false alarms per country-year");
        Assert.True(broken > 2, $"a budget of 20 gave only {broken:F2}");
    }

    /// <summary>Per country 60 sparse cells and 6 dense ones, each day's count negative binomial, weekly rhythm, no change.</summary>
    private static SeriesSet Simulate(Random random, int countries, int days)
    {
        var start = new DateOnly(2026, 1, 5);
        var platforms = Enum.GetValues<Platform>();
        var categories = Enum.GetValues<GroundCategory>();
        var subjects = Enum.GetValues<SubjectType>();
        var cells = new List<CellDay>();
        for (int c = 0; c < countries; c++)
        {
            string country = $"C{c}";
            var chosen = new HashSet<(Platform, GroundCategory, SubjectType)>();
            var rates = new List<(Platform P, GroundCategory G, SubjectType S, double Rate, double Size)>();
            while (rates.Count < 66)
            {
                var key = (platforms[random.Next(platforms.Length)], categories[random.Next(categories.Length)], subjects[random.Next(subjects.Length)]);
                if (!chosen.Add(key)) continue;
                bool dense = rates.Count < 6;
                double rate = dense ? Math.Exp(random.NextDouble() * Math.Log(10)) : 0.004 * Math.Exp(random.NextDouble() * Math.Log(30));
                rates.Add((key.Item1, key.Item2, key.Item3, rate, dense ? 1 + 9 * random.NextDouble() : 4));
            }
            for (int d = 0; d < days; d++)
            {
                var day = start.AddDays(d);
                double week = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.7 : 1.12;
                foreach (var (p, g, s, rate, size) in rates)
                {
                    int count = Poisson.Sample(random, Gamma.Sample(random, size, size / (rate * week)));
                    if (count > 0) cells.Add(new CellDay(day, country, p, g, s, count));
                }
            }
        }
        return SeriesSet.From(cells, start, start.AddDays(days - 1));
    }
}
