using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Spikes;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>The gamma prior of sparse cells: its fit on data of known law, its predictive tail, and its p-values under no change.</summary>
public sealed class SparsePriorTests(ITestOutputHelper output)
{
    [Fact]
    public void the_prior_fitted_to_gamma_poisson_counts_has_their_mean_and_errs_wide()
    {
        // 2,000 cells with rates from Gamma(shape 2, rate 40) (mean 0.05 a day), 84 days each. The method of moments
        // gives back the mean; the shape, from the variance taken at the top of its range, comes out a little below 2
        // (wider), never above it by more than noise.
        var random = new Random(11);
        const double shape = 2, rate = 40, exposure = 84;
        var counts = Enumerable.Range(0, 2000).Select(_ => (long)Poisson.Sample(random, exposure * Gamma.Sample(random, shape, rate))).ToList();
        var prior = GammaPrior.Fit(counts, exposure, maxShape: 100)!.Value;
        output.WriteLine($"shape {prior.Shape:F3}, rate {prior.Rate:F2}, mean {prior.Shape / prior.Rate:F4}");
        Assert.InRange(prior.Shape / prior.Rate, 0.045, 0.055);
        Assert.InRange(prior.Shape, 1.5, 2.05);
    }

    [Fact]
    public void cells_that_look_alike_are_not_taken_to_be_closer_than_the_cap()
    {
        // Every cell at exactly 0.05 a day: the counts are no more spread than Poisson, the variance of the rates by moments
        // is nil, and the shape stops at the cap instead of growing without end (a prior that sure would be a plug-in rate).
        var random = new Random(5);
        var counts = Enumerable.Range(0, 500).Select(_ => (long)Poisson.Sample(random, 84 * 0.05)).ToList();
        var prior = GammaPrior.Fit(counts, 84, maxShape: 4)!.Value;
        Assert.Equal(4, prior.Shape, 9);
        Assert.Equal(0.05, prior.Shape / prior.Rate, 2);
        Assert.Null(GammaPrior.Fit([0, 0, 0, 0], 84, 4));
    }

    [Theory]
    [InlineData(1.8, 44.0, 0, 84.0, 3.0, 3)]
    [InlineData(0.6, 5.0, 2, 80.0, 1.0, 2)]
    [InlineData(4.0, 30.0, 7, 84.0, 7.0, 6)]
    public void the_predictive_tail_is_the_sum_of_its_probabilities(double shape, double rate, long baseline, double exposure, double window, int observed)
    {
        // Negative binomial of size a = shape + b and success probability r / (r + w), r = rate + e, summed term by term.
        double a = shape + baseline, r = rate + exposure;
        double below = 0;
        for (int k = 0; k < observed; k++)
            below += Math.Exp(SpecialFunctions.GammaLn(k + a) - SpecialFunctions.GammaLn(a) - SpecialFunctions.GammaLn(k + 1)
                              + a * Math.Log(r / (r + window)) + k * Math.Log(window / (r + window)));
        Assert.Equal(1 - below, new GammaPrior(shape, rate).Tail(observed, baseline, exposure, window), 1e-10);
    }

    [Fact]
    public void predictive_p_values_of_held_out_windows_are_calibrated()
    {
        // 400 countries of 40 sparse cells, rates from a gamma (shape 1.5, mean 0.04 a day): each country's prior is fitted
        // to its cells' 84 baseline days, and each cell's next 3 days are tested against its predictive. Under no change
        // p <= α must happen at most about α of the time (discrete: usually less).
        var random = new Random(29);
        double[] levels = [0.05, 0.01, 0.002];
        var hits = new int[levels.Length];
        int trials = 0;
        for (int c = 0; c < 400; c++)
        {
            var rates = Enumerable.Range(0, 40).Select(_ => Gamma.Sample(random, 1.5, 1.5 / 0.04)).ToArray();
            var baseline = rates.Select(l => (long)Poisson.Sample(random, 84 * l)).ToList();
            if (GammaPrior.Fit(baseline, 84, 4) is not { } prior) continue;
            for (int i = 0; i < rates.Length; i++)
            {
                double p = prior.Tail(Poisson.Sample(random, 3 * rates[i]), baseline[i], 84, 3);
                trials++;
                for (int j = 0; j < levels.Length; j++) if (p <= levels[j]) hits[j]++;
            }
        }
        for (int j = 0; j < levels.Length; j++)
        {
            double share = hits[j] / (double)trials;
            output.WriteLine($"P(p <= {levels[j]}) = {share:G3} over {trials}");
            Assert.True(share <= levels[j] * 1.1, $"{share} at level {levels[j]}");
        }
    }

    [Fact]
    public void one_extra_report_a_day_in_a_quiet_cell_is_surer_against_the_prior_than_against_its_own_baseline()
    {
        // A cell with no report in 84 days sees 3 in 3 days. Its own baseline cannot say its rate is low: the conditional
        // test gives (3/87)³. Its country's quiet cells (one report in 50 days on average) say more.
        var prior = new GammaPrior(1.8, 1.8 / 0.02);
        double predictive = prior.Tail(3, 0, 84, 3), conditional = ConditionalTail.AtLeast(3, 0, 3, 84);
        output.WriteLine($"predictive {predictive:G3}, conditional {conditional:G3}");
        Assert.True(predictive < conditional / 2, $"{predictive} against {conditional}");
    }

    /// <summary>
    /// A country of 96 sparse cells over 400 days, rates from one every 10 days to one every 300 (log-uniform), and in one
    /// of the quietest cells (one in 300 days) an extra incident on each of three days from day 380 (<paramref name="clumped"/>:
    /// all three on day 381). The spike is found by the detector as configured; <paramref name="burst"/> false: the same
    /// days without it, where nothing may be found.
    /// </summary>
    private static (bool Found, int Alarms) QuietCountry(int seed, bool burst, SpikeSettings settings, bool clumped = false)
    {
        var random = new Random(seed);
        var day0 = new DateOnly(2025, 6, 2);
        var platforms = new[] { Platform.Facebook, Platform.YouTube, Platform.X, Platform.TikTok };
        var categories = Enum.GetValues<GroundCategory>().Take(4).ToArray();
        var subjects = new[] { SubjectType.Activist, SubjectType.Journalist, SubjectType.Blogger, SubjectType.Cso, SubjectType.IndependentMedia, SubjectType.HumanRightsDefender };
        var cells = platforms.SelectMany(p => categories.SelectMany(g => subjects.Select(j => (p, g, j)))).ToList();
        var rates = cells.Select((_, i) => i == 0 ? 1 / 300.0 : Math.Exp(Math.Log(1 / 300.0) + random.NextDouble() * Math.Log(30))).ToArray();
        var days = new List<CellDay>();
        for (int d = 0; d < 400; d++)
            for (int i = 0; i < cells.Count; i++)
            {
                int extra = !burst || i != 0 ? 0 : clumped ? (d == 381 ? 3 : 0) : d is >= 380 and < 383 ? 1 : 0;
                int count = Poisson.Sample(random, rates[i]) + extra;
                if (count > 0) days.Add(new CellDay(day0.AddDays(d), "KG", cells[i].p, cells[i].g, cells[i].j, count));
            }
        var series = SeriesSet.From(days, day0, day0.AddDays(399));
        var target = new Slice("KG", cells[0].p, cells[0].g, cells[0].j);
        var spikes = new SpikeDetector(settings).Detect(series, (_, _) => false, day0.AddDays(300), day0.AddDays(399), day0.AddDays(400));
        bool found = spikes.Any(s => s.FirstAlarm >= day0.AddDays(380) && s.FirstAlarm <= day0.AddDays(386) && SpikeDetector.Related(s.Slice, target));
        return (found, spikes.Count(s => !(burst && SpikeDetector.Related(s.Slice, target) && s.FirstAlarm >= day0.AddDays(380) && s.FirstAlarm <= day0.AddDays(386))));
    }

    [Fact]
    public void a_sparse_cell_judged_on_a_year_of_its_days_finds_three_incidents_where_twelve_weeks_could_not_tell_and_raises_no_more()
    {
        // Read over every window, at one false alarm per country-year: over three and seven days alone, or at a larger
        // budget, twelve weeks find this cell's three incidents too.
        var year = SpikeSettings.Default with { SparseBaselineDays = 364, SparseWindows = null, AlarmsPerCountryYear = 1 };
        var weeks = SpikeSettings.Default with { SparseBaselineDays = 0, SparseWindows = null, AlarmsPerCountryYear = 1 };
        int runs = 8, foundYear = 0, foundWeeks = 0, alarmsYear = 0, alarmsWeeks = 0, nullYear = 0;
        for (int seed = 1; seed <= runs; seed++)
        {
            var (fy, ay) = QuietCountry(seed, burst: true, year);
            var (fw, aw) = QuietCountry(seed, burst: true, weeks);
            var (_, ny) = QuietCountry(seed, burst: false, year);
            (foundYear, foundWeeks) = (foundYear + (fy ? 1 : 0), foundWeeks + (fw ? 1 : 0));
            (alarmsYear, alarmsWeeks, nullYear) = (alarmsYear + ay, alarmsWeeks + aw, nullYear + ny);
        }
        output.WriteLine($"found with a year {foundYear}/{runs}, with twelve weeks {foundWeeks}/{runs}; other alarms {alarmsYear} and {alarmsWeeks}; with no burst {nullYear} in {runs} country-quarters");
        Assert.True(foundYear >= 6, $"found {foundYear} of {runs} with a year of baseline");
        Assert.True(foundYear > foundWeeks, $"a year {foundYear}, twelve weeks {foundWeeks}");
        // The budget is one false alarm per country-year; these are eight country-quarters of 100 days.
        Assert.True(nullYear <= 4, $"{nullYear} alarms with no burst");
    }

    [Fact]
    public void a_quiet_cell_read_over_three_and_seven_days_finds_as_much_and_raises_no_more_than_over_every_window()
    {
        // Windows of one and two days see in a quiet cell mostly clumps and the first days of what three days see; left
        // out, the cell's combined p-value pays for two windows instead of four.
        var short_ = SpikeSettings.Default;
        var every = SpikeSettings.Default with { SparseWindows = null };
        Assert.Equal([3, 7], short_.SparseWindows!);
        int runs = 8, foundShort = 0, foundEvery = 0, alarmsShort = 0, alarmsEvery = 0;
        for (int seed = 1; seed <= runs; seed++)
        {
            var (fs, a) = QuietCountry(seed, burst: true, short_);
            var (fe, b) = QuietCountry(seed, burst: true, every);
            (foundShort, foundEvery) = (foundShort + (fs ? 1 : 0), foundEvery + (fe ? 1 : 0));
            alarmsShort += a + QuietCountry(seed, burst: false, short_).Alarms;
            alarmsEvery += b + QuietCountry(seed, burst: false, every).Alarms;
        }
        output.WriteLine($"found over 3 and 7 days {foundShort}/{runs}, over every window {foundEvery}/{runs}; other alarms {alarmsShort} and {alarmsEvery} in {2 * runs} country-quarters");
        Assert.True(foundShort >= foundEvery, $"over 3 and 7 days {foundShort}, over every window {foundEvery}");
        Assert.True(foundShort >= 6, $"found {foundShort} of {runs}");
        Assert.True(alarmsShort <= alarmsEvery, $"other alarms: {alarmsShort} over 3 and 7 days, {alarmsEvery} over every window");
    }

    [Fact]
    public void reading_the_days_finds_three_incidents_on_three_days_more_often_and_a_clump_on_one_day_no_more_often()
    {
        var days = SpikeSettings.Default with { SpreadWithinWindows = true };
        var counts = SpikeSettings.Default with { SpreadWithinWindows = false };
        int runs = 8, spreadDays = 0, spreadCounts = 0, clumpDays = 0, clumpCounts = 0, nullDays = 0;
        for (int seed = 1; seed <= runs; seed++)
        {
            spreadDays += QuietCountry(seed, burst: true, days).Found ? 1 : 0;
            spreadCounts += QuietCountry(seed, burst: true, counts).Found ? 1 : 0;
            clumpDays += QuietCountry(seed, burst: true, days, clumped: true).Found ? 1 : 0;
            clumpCounts += QuietCountry(seed, burst: true, counts, clumped: true).Found ? 1 : 0;
            nullDays += QuietCountry(seed, burst: false, days).Alarms;
        }
        output.WriteLine($"three on three days found {spreadDays}/{runs} reading the days, {spreadCounts}/{runs} on counts alone; " +
            $"three on one day {clumpDays}/{runs} and {clumpCounts}/{runs}; with no burst {nullDays} alarms in {runs} country-quarters");
        Assert.True(spreadDays > spreadCounts, $"reading the days {spreadDays}, counts alone {spreadCounts}");
        Assert.True(spreadDays >= 6, $"found {spreadDays} of {runs}");
        Assert.True(clumpDays <= clumpCounts, $"a clump: reading the days {clumpDays}, counts alone {clumpCounts}");
        Assert.True(nullDays <= 4, $"{nullDays} alarms with no burst");
    }
}
