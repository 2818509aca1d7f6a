using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Spikes;
using Takedowns.Scenarios;

namespace Takedowns.Correlation.Tests.Spikes;

public sealed class SpikeDetectorTests(ITestOutputHelper output)
{
    private static readonly ScenarioOptions Small = new() { Countries = 4, CellsPerCountry = 16, Days = 240, Spikes = 16, Campaigns = 0, WarmUpDays = 100 };

    private static (SeriesSet Series, IReadOnlyList<SpikeEpisode> Spikes) Run(Scenario scenario, SpikeSettings? settings = null, bool registerPeriods = true)
    {
        var o = scenario.Options;
        var series = SeriesSet.From(SpikeScoring.Cells(scenario).Select(c => new CellDay(c.Day, c.Country, c.Platform, c.Category, c.SubjectType, c.Count)), o.Start, o.End);
        bool Excluded(string country, DateOnly day) =>
            registerPeriods && scenario.CivicPeriods.Any(p => p.Country == country && p.Start <= day && day <= p.End);
        var spikes = new SpikeDetector(settings ?? SpikeSettings.Default).Detect(series, Excluded, o.Start, o.End, today: o.End.AddDays(1));
        return (series, spikes);
    }

    private static SpikeScore Score(Scenario scenario, SeriesSet series, IEnumerable<SpikeEpisode> spikes) =>
        SpikeScoring.Score(scenario, spikes.Select(s => new DetectedSpike(s.Slice, s.Start, s.End, s.FirstAlarm)).ToList(),
            series.Counts.Count, scenario.Options.Start.AddDays(scenario.Options.WarmUpDays), scenario.Options.End);

    [Fact]
    public void planted_bursts_are_found_with_few_false_alarms()
    {
        var scores = Enumerable.Range(1, 5).Select(seed =>
        {
            var scenario = ScenarioGenerator.Generate(Small with { Seed = seed });
            var (series, spikes) = Run(scenario);
            var score = Score(scenario, series, spikes);
            output.WriteLine($"seed {seed}: {score}");
            return score;
        }).ToList();
        double detection = (double)scores.Sum(s => s.ReferenceDetected) / scores.Sum(s => s.Reference);
        double falseAlarms = scores.Sum(s => s.FalseAlarms) / (scores.Count * CountryYears);
        output.WriteLine($"reference detection {detection:P1}, false alarms per country-year {falseAlarms:F2}");
        // At one false alarm a country-year, 3-day bursts of 3 SD in the sparsest cells (one extra incident a day) are
        // beyond any valid test; the benchmark's larger scenarios hold the 80 % target, these small ones come near it.
        Assert.True(detection >= 0.7, $"detection {detection:P1}");
        Assert.True(falseAlarms <= 2, $"false alarms {falseAlarms:F2} per country-year");
    }

    [Fact]
    public void pooling_cells_names_the_cells_of_a_thin_rise_without_raising_more_false_alarms()
    {
        // One country of 32 cells; in the planted runs four of them, sharing no platform or category, rise by three
        // standard deviations for three days: too little for any one cell at a budget of one false alarm a country-year. Coarser slices holding several of them often
        // alarm anyway; the subset scan finds the rise as often or more, and where it does it names the cells that rose.
        // On the same runs with nothing planted, pooling adds (almost) no alarms.
        var pooled = SpikeSettings.Default with { AlarmsPerCountryYear = 1 };
        var alone = pooled with { PooledWindows = [] };
        int runs = 12, foundPooled = 0, foundAlone = 0, named = 0, falsePooled = 0, falseAlone = 0;
        var start = new DateOnly(2026, 1, 1);
        for (int seed = 1; seed <= runs; seed++)
        {
            var (planted, risen) = ThinRise(seed, start, plant: true);
            var (nothing, _) = ThinRise(seed, start, plant: false);
            IEnumerable<SpikeEpisode> Finding(IReadOnlyList<SpikeEpisode> spikes) => spikes.Where(s =>
                s.FirstAlarm >= start.AddDays(180) && s.FirstAlarm <= start.AddDays(185) &&
                risen.Any(c => SpikeScoring.Contains(s.Slice, c.Country, c.Platform!.Value, c.Category!.Value, c.SubjectType!.Value)));
            int Alarms(IReadOnlyList<SpikeEpisode> spikes) => spikes.Count(s => s.FirstAlarm >= start.AddDays(120));
            var withPooling = Finding(Detect(planted, pooled)).ToList();
            if (withPooling.Count > 0) foundPooled++;
            if (withPooling.Any(s => s.Cells.Intersect(risen).Count() >= 2)) named++;
            if (Finding(Detect(planted, alone)).Any()) foundAlone++;
            falsePooled += Alarms(Detect(nothing, pooled));
            falseAlone += Alarms(Detect(nothing, alone));
            foreach (var s in withPooling.Where(s => s.Cells.Count > 0))
                output.WriteLine($"seed {seed}: {s.Slice.Key} {s.Start}..{s.End} {s.Observed} vs {s.Expected:F1}, p {s.PValue:E2}, {s.Method}: " +
                                 $"{string.Join(" ", s.Cells.Select(c => c.Key))} (risen: {string.Join(" ", risen.Select(c => c.Key))})");
        }
        output.WriteLine($"found with pooling {foundPooled}/{runs} ({named} naming the cells), alone {foundAlone}/{runs}; alarms on null runs {falsePooled} / {falseAlone}");
        Assert.True(foundPooled >= foundAlone, $"pooling found {foundPooled}, the slices alone {foundAlone}");
        Assert.True(named >= runs / 4, $"the spike named the risen cells in {named} of {runs} runs");
        Assert.True(falsePooled <= falseAlone + 3, $"null alarms {falsePooled} pooled, {falseAlone} alone");

        static IReadOnlyList<SpikeEpisode> Detect(SeriesSet series, SpikeSettings settings) =>
            new SpikeDetector(settings).Detect(series, (_, _) => false, series.Origin.AddDays(100), series.DayAt(series.Days - 1), series.DayAt(series.Days - 1).AddDays(1));
    }

    /// <summary>
    /// 200 days of 32 Poisson cells of one country (4 platforms x 4 categories x 2 subject types, half an incident to two
    /// a day); four cells that share no platform or category up by three standard deviations on days 180-182.
    /// </summary>
    private static (SeriesSet Series, List<Slice> Risen) ThinRise(int seed, DateOnly start, bool plant)
    {
        var random = new Random(seed);
        Platform[] platforms = [Platform.YouTube, Platform.Facebook, Platform.Telegram, Platform.X];
        GroundCategory[] categories = [GroundCategory.Spam, GroundCategory.CommunityStandards, GroundCategory.LegalRequest, GroundCategory.Impersonation];
        SubjectType[] subjects = [SubjectType.Journalist, SubjectType.Blogger];
        var cells = (from p in platforms from c in categories from s in subjects select new Slice("AM", p, c, s)).ToList();
        var rates = cells.Select(_ => 0.5 + random.NextDouble() * 1.5).ToList();
        var shuffled = (p: platforms.OrderBy(_ => random.Next()).ToArray(), c: categories.OrderBy(_ => random.Next()).ToArray(),
            s: subjects.OrderBy(_ => random.Next()).ToArray());
        var risen = Enumerable.Range(0, 4).Select(k => new Slice("AM", shuffled.p[k], shuffled.c[k], shuffled.s[k % 2])).ToList();
        var days = new List<CellDay>();
        for (int d = 0; d < 200; d++)
            for (int i = 0; i < cells.Count; i++)
            {
                int count = MathNet.Numerics.Distributions.Poisson.Sample(random, rates[i]);
                if (plant && d >= 180 && d <= 182 && risen.Contains(cells[i])) count += (int)Math.Round(3 * Math.Sqrt(rates[i]));
                var c = cells[i];
                days.Add(new CellDay(start.AddDays(d), c.Country, c.Platform!.Value, c.Category!.Value, c.SubjectType!.Value, count));
            }
        return (SeriesSet.From(days, start, start.AddDays(199)), risen);
    }

    [Fact]
    public void a_null_scenario_raises_few_alarms()
    {
        var scores = Enumerable.Range(11, 3).Select(seed =>
        {
            var scenario = ScenarioGenerator.Generate((Small with { Seed = seed }).AsNull());
            var (series, spikes) = Run(scenario);
            var score = Score(scenario, series, spikes);
            output.WriteLine($"seed {seed}: {score}");
            foreach (var g in spikes.Where(s => s.FirstAlarm >= scenario.Options.Start.AddDays(100) && !SpikeScoring.Explained(scenario, new DetectedSpike(s.Slice, s.Start, s.End, s.FirstAlarm))).GroupBy(s => (s.Method, SeriesSet.KindOf(s.Slice))).OrderBy(g => g.Key))
                output.WriteLine($"  {g.Key}: {g.Count()} obs/exp {string.Join(" ", g.Take(6).Select(x => $"{x.Observed}/{x.Expected:F1}@{x.PValue:E1}"))}");
            return score;
        }).ToList();
        // What an analyst reads: false alarms per country and year, every slice and method together.
        double falseAlarms = scores.Sum(s => s.FalseAlarms) / (scores.Count * CountryYears);
        output.WriteLine($"false alarms per country-year {falseAlarms:F2}");
        Assert.True(falseAlarms <= 2, $"false alarms {falseAlarms:F2} per country-year");
    }

    /// <summary>Country-years a small scenario is scored over (after its warm-up).</summary>
    private static double CountryYears => Small.Countries * (Small.Days - Small.WarmUpDays) / 365.25;

    [Fact]
    public void detection_is_deterministic()
    {
        var scenario = ScenarioGenerator.Generate(Small with { Seed = 3 });
        var (_, first) = Run(scenario);
        var (_, second) = Run(scenario);
        Assert.NotEmpty(first);
        Assert.Equal(first, second);
        // A spike's id comes from its slice and first day: never two spikes with both the same.
        Assert.Equal(first.Count, first.Select(s => (s.Slice, s.Start)).Distinct().Count());
    }

    [Fact]
    public void a_civic_period_does_not_teach_the_baseline_its_own_spike()
    {
        // A steady slice, with a surge during a registered referendum 8 weeks before a second surge.
        var day0 = new DateOnly(2026, 1, 1);
        var cells = new List<CellDay>();
        var random = new Random(5);
        for (int d = 0; d < 150; d++)
        {
            int count = random.Next(0, 3) + (d is >= 80 and < 87 ? 8 : 0) + (d is >= 140 and < 143 ? 5 : 0);
            cells.Add(new CellDay(day0.AddDays(d), "KZ", Platform.YouTube, GroundCategory.IntellectualProperty, SubjectType.Journalist, count));
        }
        var series = SeriesSet.From(cells, day0, day0.AddDays(149));
        bool Referendum(string _, DateOnly day) => day >= day0.AddDays(80) && day < day0.AddDays(87);
        var detector = new SpikeDetector(SpikeSettings.Default);
        var withCalendar = detector.Detect(series, Referendum, day0.AddDays(140), day0.AddDays(142), day0.AddDays(150)).Single(s => s.Slice == new Slice("KZ"));
        var without = detector.Detect(series, (_, _) => false, day0.AddDays(140), day0.AddDays(142), day0.AddDays(150)).SingleOrDefault(s => s.Slice == new Slice("KZ"));
        output.WriteLine($"with {withCalendar}\nwithout {without}");
        static double PerDay(SpikeEpisode s) => s.Expected / (s.End.DayNumber - s.Start.DayNumber + 1);
        Assert.True(without is null || PerDay(without) > PerDay(withCalendar) * 1.5,
            "the referendum's surge must not raise the baseline the later surge is measured against");
        Assert.True(withCalendar.PValue < (without?.PValue ?? 1));
    }

    [Fact]
    public void recent_days_are_judged_by_the_share_of_reports_that_has_usually_arrived()
    {
        // Ten a day for weeks; today twelve have arrived so far.
        var day0 = new DateOnly(2026, 3, 1);
        var cells = Enumerable.Range(0, 60).Select(d => new CellDay(day0.AddDays(d), "UZ", Platform.X, GroundCategory.Spam, SubjectType.Blogger, d == 59 ? 12 : 10)).ToList();
        var series = SeriesSet.From(cells, day0, day0.AddDays(59));
        var today = day0.AddDays(59);
        var detector = new SpikeDetector(SpikeSettings.Default);
        Assert.Empty(detector.Detect(series, (_, _) => false, today, today, today)); // a whole day's worth expected: twelve is nothing
        // When a fifth of a day's reports usually arrive on the day, twelve already is a surge.
        Assert.NotEmpty(detector.Detect(series, (_, _) => false, today, today, today, daysSince => daysSince == 0 ? 0.2 : 1));

        var delays = new Takedowns.Correlation.Series.ReportingDelays();
        delays.Reports[0] = 20;
        delays.Reports[1] = 60;
        delays.Reports[10] = 20;
        Assert.Equal(0.2, delays.Completeness(0), 3);
        Assert.Equal(0.8, delays.Completeness(1), 3);
        Assert.Equal(1.0, delays.Completeness(30), 3);
        Assert.Equal(1.0, new Takedowns.Correlation.Series.ReportingDelays().Completeness(0)); // too few reports to tell
    }

    [Theory]
    [InlineData(0, 0.5, 1e9)]
    [InlineData(3, 0.5, 1e9)]
    [InlineData(4, 2.0, 1e9)]
    [InlineData(7, 2.0, 1.5)]
    [InlineData(12, 3.0, 0.8)]
    public void the_tail_matches_the_sum_of_the_probabilities(int observed, double mean, double size)
    {
        double expected = 1 - Enumerable.Range(0, observed).Sum(k => Pmf(k, mean, size));
        Assert.Equal(expected, NegativeBinomialTail.AtLeast(observed, mean, size), 1e-9);
    }

    private static double Pmf(int k, double mean, double size)
    {
        if (size > 1e6) return Math.Exp(-mean + k * Math.Log(mean) - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1));
        double p = size / (size + mean);
        return Math.Exp(MathNet.Numerics.SpecialFunctions.GammaLn(k + size) - MathNet.Numerics.SpecialFunctions.GammaLn(size)
                        - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1) + size * Math.Log(p) + k * Math.Log(1 - p));
    }

    [Fact]
    public void benjamini_hochberg_keeps_the_largest_passing_rank()
    {
        var slice = new Slice("KZ");
        var assessed = new[] { 0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216 }
            .Select((p, i) => new SliceAssessment(slice with { Country = $"K{i}" }, p, 0, 2, 1, "test")).ToList();
        // At q = 0.05 with m = 10: thresholds 0.005, 0.01, 0.015, ...; rank 2 (0.008 ≤ 0.01) is the last to pass.
        Assert.Equal(2, SpikeDetector.BenjaminiHochberg(assessed, 0.05).Count());
    }
}
