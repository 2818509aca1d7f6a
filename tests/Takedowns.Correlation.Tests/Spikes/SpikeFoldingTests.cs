using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Spikes;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>
/// How alarms of related slices are folded into one spike: a part of a coarse rise stays in the coarse spike, and a new,
/// separate rise in a finer slice inside a long-running coarse spike is raised as a spike of its own.
/// </summary>
public sealed class SpikeFoldingTests(ITestOutputHelper output)
{
    private static readonly DateOnly Day0 = new(2026, 1, 1);
    private const string Country = "KG";
    private const int Days = 200, RiseFrom = 150, RiseTo = 184, BurstFrom = 165, EarlyBurstFrom = RiseFrom + 3;
    private static readonly Slice BurstCell = new(Country, Platform.X, GroundCategory.Spam, SubjectType.Journalist);

    [Fact]
    public void a_new_burst_in_a_cell_inside_a_long_country_wide_rise_opens_its_own_spike()
    {
        // Every cell of the country doubles from day 150 for five weeks (a spike of the country from about day 150); on
        // days 165-167 a cell of 0.05 a day has three more a day. Folded into the country's spike, that burst would only
        // make a spike that began two weeks earlier a little larger.
        int runs = 6, raised = 0;
        for (int seed = 1; seed <= runs; seed++)
        {
            var spikes = Detect(Series(seed, burst: true));
            var coarse = spikes.Where(s => s.FirstAlarm >= Day0.AddDays(RiseFrom) && s.FirstAlarm <= Day0.AddDays(RiseFrom + 7)).ToList();
            var own = spikes.Where(s => s.FirstAlarm >= Day0.AddDays(BurstFrom) && s.FirstAlarm <= Day0.AddDays(BurstFrom + 5) &&
                                        s.Start >= Day0.AddDays(BurstFrom - 3) && SpikeDetector.Within(BurstCell, s.Slice)).ToList();
            foreach (var s in coarse.Concat(own))
                output.WriteLine($"seed {seed}: {s.Slice.Key} {s.Start:MM-dd}..{s.End:MM-dd} first {s.FirstAlarm:MM-dd}, {s.Observed} vs {s.Expected:F1}, p {s.PValue:E1}, {s.Method}");
            Assert.NotEmpty(coarse); // the country-wide rise is a spike
            if (own.Count > 0) raised++;
        }
        output.WriteLine($"the burst raised its own spike in {raised} of {runs} runs");
        Assert.True(raised >= runs - 1, $"the burst raised its own spike in {raised} of {runs} runs");
    }

    [Fact]
    public void a_quiet_cell_that_bursts_days_after_a_country_wide_rise_began_opens_its_own_spike()
    {
        // The burst begins three days into the country's rise, within the longest window of the country's spike, so its
        // start alone does not tell it from a part of that rise crossing its threshold late. The cell saw nothing above
        // its expectation from the day the country's spike began until its burst: it took no part in that rise, and its
        // burst, beyond anything the rise explains, is news. Folded in by its start alone, it would be lost.
        var (raised, raisedByStartAlone) = OwnSpikes(seed => Series(seed, burst: true, burstFrom: EarlyBurstFrom), Own,
            SpikeSettings.Default with { NewsAfterQuiet = false, NewsElsewhere = false }, "by its start alone");
        Assert.True(raised >= Runs - 1, $"the burst raised its own spike in {raised} of {Runs} runs");
        Assert.True(raisedByStartAlone < raised, $"{raisedByStartAlone} by its start alone against {raised}");

        static SpikeEpisode? Own(IReadOnlyList<SpikeEpisode> spikes) => spikes.FirstOrDefault(s =>
            s.FirstAlarm >= Day0.AddDays(EarlyBurstFrom) && s.FirstAlarm <= Day0.AddDays(EarlyBurstFrom + 5) &&
            s.Start >= Day0.AddDays(EarlyBurstFrom - 1) && SpikeDetector.Within(BurstCell, s.Slice) && OnlyTheBurstCell(s.Slice));

        // The burst cell is the country's only cell on X and its only one of spam.
        static bool OnlyTheBurstCell(Slice slice) => slice.Platform == BurstCell.Platform || slice.Category == BurstCell.Category;
    }

    [Fact]
    public void a_busy_cell_that_bursts_days_after_a_country_wide_rise_began_opens_its_own_spike()
    {
        // Every cell doubles from day 150, this busy one too, so it was not quiet before its own burst; three days in it
        // sees eight more a day. The country's spike rose with every cell, this one holding a twelfth of its excess when
        // it was raised: its burst is not that spike's event, and beyond the doubling it is news.
        var cell = new Slice(Country, Platform.Telegram, GroundCategory.LegalRequest, SubjectType.Blogger);
        var (raised, raisedWithoutItsShare) = OwnSpikes(seed => Series(seed, burst: false, extra: (cell, EarlyBurstFrom, 8)), Own,
            SpikeSettings.Default with { NewsElsewhere = false }, "without its share of the country's rise weighed");
        Assert.True(raised >= Runs - 1, $"the burst raised its own spike in {raised} of {Runs} runs");
        Assert.True(raisedWithoutItsShare < raised, $"{raisedWithoutItsShare} without its share weighed against {raised}");

        SpikeEpisode? Own(IReadOnlyList<SpikeEpisode> spikes) => spikes.FirstOrDefault(s =>
            s.FirstAlarm >= Day0.AddDays(EarlyBurstFrom) && s.FirstAlarm <= Day0.AddDays(EarlyBurstFrom + 2) &&
            s.Start >= Day0.AddDays(EarlyBurstFrom - 1) && SpikeDetector.Within(cell, s.Slice) &&
            (s.Slice.Platform is not null || s.Slice.Category is not null || s.Slice.SubjectType is not null));
    }

    [Fact]
    public void the_parts_of_a_country_wide_rise_stay_in_its_spike()
    {
        // A like rise, to three times the rate, with no burst: every platform, category and cell shares it, and none rose
        // beyond it (the country's alarm stays the most telling each day, so its spike stays open throughout). Their alarms,
        // on windows that open well after the country's spike began, are that spike seen from its parts: no spike is
        // raised while a coarser one holding its slice is open.
        int runs = 6, inside = 0;
        for (int seed = 1; seed <= runs; seed++)
        {
            var spikes = Detect(Series(seed, burst: false, rise: 3));
            Assert.Contains(spikes, s => s.FirstAlarm >= Day0.AddDays(RiseFrom) && s.FirstAlarm <= Day0.AddDays(RiseFrom + 7));
            foreach (var s in spikes)
            {
                // Begun a week or more after a coarser spike holding its slice, and first alarmed while that one went on.
                var holder = spikes.FirstOrDefault(c => c.Slice != s.Slice && SpikeDetector.Within(s.Slice, c.Slice) &&
                                                        s.Start.DayNumber - c.Start.DayNumber >= 7 && c.FirstAlarm < s.FirstAlarm && s.FirstAlarm <= c.End);
                if (holder is null) continue;
                inside++;
                output.WriteLine($"seed {seed}: {s.Slice.Key} {s.Start:MM-dd}..{s.End:MM-dd} first {s.FirstAlarm:MM-dd}, {s.Observed} vs {s.Expected:F1}, p {s.PValue:E1}, {s.Method}, " +
                                 $"inside {holder.Slice.Key} {holder.Start:MM-dd}..{holder.End:MM-dd} ({holder.Observed} vs {holder.Expected:F1})");
            }
        }
        output.WriteLine($"{inside} spikes raised inside a coarser one in {runs} runs");
        Assert.True(inside <= 1, $"{inside} spikes raised inside a coarser one in {runs} runs");
    }

    [Fact]
    public void the_exact_chance_worked_out_only_where_it_could_pass_raises_what_it_would_raise_everywhere()
    {
        // Each day's windows are combined by their union bound first and exactly only where a slice could pass: the
        // spikes, their p-values and first alarms are those of every slice combined exactly.
        for (int seed = 1; seed <= 4; seed++)
        {
            var series = Series(seed, burst: true, rise: seed % 2 == 0 ? 2 : 3);
            var gated = Detect(series);
            var everywhere = Detect(series, SpikeSettings.Default with { ExactEverywhere = true });
            output.WriteLine($"seed {seed}: {gated.Count} spikes");
            Assert.NotEmpty(gated);
            Assert.Equal(everywhere, gated);
        }
    }

    [Fact]
    public void a_rise_beside_an_open_spike_in_cells_it_does_not_hold_opens_its_own_spike_when_it_begins()
    {
        // Facebook's bloggers rise for three weeks from day 150 (a spike of theirs stays open). From day 160 two other
        // bloggers' cells, on Telegram and YouTube, see four more a day each: a separate event, whose most telling slice is
        // every platform's bloggers, which shares Facebook's bloggers with the open spike. Folded into it for sharing a
        // cell, the new rise would wait for the Facebook spike to end; its excess lies almost all outside it, so it is news.
        var (raised, raisedWhenFolded) = OwnSpikes(seed => Beside(seed, secondRise: true), Own,
            SpikeSettings.Default with { NewsBeside = false }, "when folded");
        Assert.True(raised >= Runs - 1, $"the second rise raised its own spike within two days in {raised} of {Runs} runs");
        Assert.True(raisedWhenFolded < raised, $"{raisedWhenFolded} when folded against {raised}");

        static SpikeEpisode? Own(IReadOnlyList<SpikeEpisode> spikes) => spikes.FirstOrDefault(s =>
            s.FirstAlarm >= Day0.AddDays(SecondRiseFrom) && s.FirstAlarm <= Day0.AddDays(SecondRiseFrom + 2) &&
            SecondRiseCells.Any(c => SpikeDetector.Within(c, s.Slice)));
    }

    [Fact]
    public void a_slice_crossing_an_open_spike_whose_rise_lies_in_the_cells_they_share_stays_in_that_spike()
    {
        // Facebook's bloggers alone rise. Slices that cross theirs (every platform's bloggers, community standards' bloggers,
        // the country) alarm with them, their excess all in Facebook's bloggers: the same event, folded into its spike.
        int runs = 6, beside = 0;
        for (int seed = 1; seed <= runs; seed++)
        {
            var spikes = Detect(Beside(seed, secondRise: false));
            var first = spikes.Where(s => s.Slice.Platform == Platform.Facebook && s.Slice.SubjectType == SubjectType.Blogger).MinBy(s => s.FirstAlarm);
            Assert.NotNull(first);
            foreach (var s in spikes.Where(s => s != first && SpikeDetector.Related(s.Slice, first.Slice) && s.FirstAlarm > first.FirstAlarm && s.FirstAlarm <= first.End))
            {
                beside++;
                output.WriteLine($"seed {seed}: {s.Slice.Key} {s.Start:MM-dd}..{s.End:MM-dd} first {s.FirstAlarm:MM-dd}, {s.Observed} vs {s.Expected:F1}, beside {first.Slice.Key} {first.Start:MM-dd}..{first.End:MM-dd}");
            }
        }
        output.WriteLine($"{beside} spikes raised beside the rise's own in {runs} runs");
        Assert.True(beside <= 1, $"{beside} spikes raised beside the rise's own in {runs} runs");
    }

    private const int FirstRiseFrom = 150, FirstRiseTo = 170, SecondRiseFrom = 160;
    private static readonly Slice[] SecondRiseCells =
        [new(Country, Platform.Telegram, GroundCategory.CommunityStandards, SubjectType.Blogger), new(Country, Platform.YouTube, GroundCategory.LegalRequest, SubjectType.Blogger)];

    /// <summary>
    /// The 12 cells of <see cref="Series"/> (one a day on average), Facebook's two bloggers' cells at three times their
    /// rate on days 150-170; with <paramref name="secondRise"/>, four more a day in each of <see cref="SecondRiseCells"/>
    /// on the three days from day 160.
    /// </summary>
    private static SeriesSet Beside(int seed, bool secondRise)
    {
        var random = new Random(seed);
        Platform[] platforms = [Platform.YouTube, Platform.Facebook, Platform.Telegram];
        GroundCategory[] categories = [GroundCategory.CommunityStandards, GroundCategory.LegalRequest];
        SubjectType[] subjects = [SubjectType.Journalist, SubjectType.Blogger];
        var cells = (from p in platforms from c in categories from s in subjects select new Slice(Country, p, c, s)).ToList();
        var rates = cells.Select(_ => 0.5 + random.NextDouble()).ToList();
        var days = new List<CellDay>();
        for (int d = 0; d < Days; d++)
            for (int i = 0; i < cells.Count; i++)
            {
                var c = cells[i];
                bool first = c.Platform == Platform.Facebook && c.SubjectType == SubjectType.Blogger && d is >= FirstRiseFrom and <= FirstRiseTo;
                int count = MathNet.Numerics.Distributions.Poisson.Sample(random, rates[i] * (first ? 3 : 1));
                if (secondRise && SecondRiseCells.Contains(c) && d >= SecondRiseFrom && d < SecondRiseFrom + 3) count += 4;
                days.Add(new CellDay(Day0.AddDays(d), c.Country, c.Platform!.Value, c.Category!.Value, c.SubjectType!.Value, count));
            }
        return SeriesSet.From(days, Day0, Day0.AddDays(Days - 1));
    }

    private const int Runs = 6;

    /// <summary>
    /// Over <see cref="Runs"/> seeds: in how many runs the spike <paramref name="own"/> picks out is raised, with the
    /// default settings and with <paramref name="without"/> (a rule turned off, named by <paramref name="withoutIs"/>).
    /// </summary>
    private (int Raised, int RaisedWithout) OwnSpikes(Func<int, SeriesSet> series, Func<IReadOnlyList<SpikeEpisode>, SpikeEpisode?> own,
        SpikeSettings without, string withoutIs)
    {
        int raised = 0, raisedWithout = 0;
        for (int seed = 1; seed <= Runs; seed++)
        {
            var data = series(seed);
            if (own(Detect(data)) is { } s)
            {
                raised++;
                output.WriteLine($"seed {seed}: {s.Slice.Key} {s.Start:MM-dd}..{s.End:MM-dd} first {s.FirstAlarm:MM-dd}, {s.Observed} vs {s.Expected:F1}, p {s.PValue:E1}, {s.Method}");
            }
            if (own(Detect(data, without)) is not null) raisedWithout++;
        }
        output.WriteLine($"its own spike raised in {raised} of {Runs} runs, {raisedWithout} {withoutIs}");
        return (raised, raisedWithout);
    }

    private static IReadOnlyList<SpikeEpisode> Detect(SeriesSet series, SpikeSettings? settings = null) =>
        new SpikeDetector(settings ?? SpikeSettings.Default).Detect(series, (_, _) => false, Day0.AddDays(100), Day0.AddDays(Days - 1), Day0.AddDays(Days));

    /// <summary>
    /// 200 days of one country's 12 Poisson cells (3 platforms x 2 categories x 2 subject types, half an incident to one
    /// and a half a day) and one sparse cell (0.05 a day), every rate <paramref name="rise"/> times as high on days 150-184; with
    /// <paramref name="burst"/>, three more a day in the sparse cell on the three days from <paramref name="burstFrom"/>; with
    /// <paramref name="extra"/>, that many more a day in that cell on the three days from its day.
    /// </summary>
    private static SeriesSet Series(int seed, bool burst, double rise = 2, int burstFrom = BurstFrom, (Slice Cell, int From, int PerDay)? extra = null)
    {
        var random = new Random(seed);
        Platform[] platforms = [Platform.YouTube, Platform.Facebook, Platform.Telegram];
        GroundCategory[] categories = [GroundCategory.CommunityStandards, GroundCategory.LegalRequest];
        SubjectType[] subjects = [SubjectType.Journalist, SubjectType.Blogger];
        var cells = (from p in platforms from c in categories from s in subjects select new Slice(Country, p, c, s)).Append(BurstCell).ToList();
        var rates = cells.Select(c => c == BurstCell ? 0.05 : 0.5 + random.NextDouble()).ToList();
        var days = new List<CellDay>();
        for (int d = 0; d < Days; d++)
            for (int i = 0; i < cells.Count; i++)
            {
                double rate = rates[i] * (d is >= RiseFrom and <= RiseTo ? rise : 1);
                int count = MathNet.Numerics.Distributions.Poisson.Sample(random, rate);
                if (burst && cells[i] == BurstCell && d >= burstFrom && d < burstFrom + 3) count += 3;
                if (extra is { } e && cells[i] == e.Cell && d >= e.From && d < e.From + 3) count += e.PerDay;
                var c = cells[i];
                days.Add(new CellDay(Day0.AddDays(d), c.Country, c.Platform!.Value, c.Category!.Value, c.SubjectType!.Value, count));
            }
        return SeriesSet.From(days, Day0, Day0.AddDays(Days - 1));
    }
}
