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
        // Nothing like it before: five in a day against 90 days of others' notices. The newest places the windows; the other
        // four are all in the one-day window, four of the 9,099 other notices in the span taken at random all among its 99;
        // no other window can show a tail as small with four, so that is the p-value, times the day's 100 notices (any of
        // which could have placed a window).
        double fresh = Rise(five, _ => 0);
        Assert.Equal(100 * (99.0 * 98 * 97 * 96) / (9099.0 * 9098 * 9097 * 9096), fresh, 1e-15);
        Assert.True(fresh < 1e-5);
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

    [Theory]
    [InlineData(9099, 99, 4, 4)]
    [InlineData(40, 7, 6, 6)]
    [InlineData(36, 16, 8, 8)]
    [InlineData(910, 70, 60, 14)]
    [InlineData(5000, 400, 300, 60)]
    [InlineData(910, 70, 60, 3)]
    public void the_hypergeometric_tail_is_exact_far_into_the_tail(int population, int marked, int draws, int k)
    {
        // Each term C(marked, x) C(population - marked, draws - x) / C(population, draws) from k on, as MathNet gives it.
        double expected = 0;
        for (int x = k; x <= Math.Min(draws, marked); x++) expected += Math.Exp(Hypergeometric.PMFLn(population, marked, draws, x));
        Assert.Equal(expected, ClusterSignificance.HypergeometricTail(population, marked, draws, k), expected * 1e-9);
        Assert.Equal(Math.Exp(Hypergeometric.PMFLn(population, marked, draws, k)), ClusterSignificance.HypergeometricPmf(population, marked, draws, k), 1e-12);
    }

    [Fact]
    public void the_hypergeometric_tail_at_its_edges()
    {
        Assert.Equal(1, ClusterSignificance.HypergeometricTail(50, 10, 20, 0));
        Assert.Equal(0, ClusterSignificance.HypergeometricTail(50, 10, 20, 11)); // more than the window holds
        Assert.Equal(0, ClusterSignificance.HypergeometricTail(50, 10, 5, 6));   // more than were drawn
        // With 45 of 50 drawn, at least 5 of the 10 marked are among them, whatever the draw.
        Assert.Equal(1, ClusterSignificance.HypergeometricTail(50, 10, 45, 5));
        // Below the mean: one less the lower tail.
        Assert.Equal(1 - Hypergeometric.CDF(200, 60, 50, 9), ClusterSignificance.HypergeometricTail(200, 60, 50, 10), 1e-12);
        // Taking all of a window's notices out of a population the size of the window: certain.
        Assert.Equal(1, ClusterSignificance.HypergeometricTail(7, 7, 6, 6), 1e-12);
    }

    [Fact]
    public void the_chance_that_some_nested_window_is_as_extreme_is_what_drawing_the_notices_gives()
    {
        // 60 notices taken at random, without replacement, from 910: the newest day holds 10 of them, the last 3 days 30,
        // the last week 70.
        const int population = 910, n = 60;
        long[] room = [10, 30, 70];
        bool[] looked = [true, true, true];
        foreach (double tail in new[] { 0.05, 0.002 })
        {
            double exact = ClusterSignificance.AnyWindowAsSmall(n, population, room, looked, tail);
            // Drawn: how often some window's count has a hypergeometric tail at most the one given.
            var random = new Random(23);
            var slots = Enumerable.Range(0, population).ToArray();
            int draws = 200_000, hits = 0;
            for (int i = 0; i < draws; i++)
            {
                long[] counts = new long[3];
                for (int j = 0; j < n; j++)
                {
                    int pick = random.Next(j, population);
                    (slots[j], slots[pick]) = (slots[pick], slots[j]);
                    for (int w = 0; w < 3; w++)
                        if (slots[j] < room[w]) counts[w]++;
                }
                if (Enumerable.Range(0, 3).Any(w => ClusterSignificance.HypergeometricTail(population, room[w], n, counts[w]) <= tail)) hits++;
            }
            double drawn = hits / (double)draws, error = Math.Sqrt(exact * (1 - exact) / draws);
            Assert.True(Math.Abs(drawn - exact) <= 4 * error, $"tail {tail}: exact {exact:G4}, drawn {drawn:G4}");
            // Each window alone reaches it at most that often, and together less often than three times that (they overlap).
            double single = Enumerable.Range(0, 3).Max(w => ClusterSignificance.AnyWindowAsSmall(n, population, room, [w == 0, w == 1, w == 2], tail));
            Assert.InRange(exact, single, 3 * tail);
            Assert.True(exact < 2.5 * tail, $"tail {tail}: {exact:G4}, hardly less than the Bonferroni's {3 * tail}");
        }
        // A window not looked at counts for nothing.
        Assert.Equal(0, ClusterSignificance.AnyWindowAsSmall(n, population, room, [false, false, false], 0.05));
    }

    [Fact]
    public void where_a_family_is_much_of_its_platform_the_exact_rise_stays_within_its_level_and_the_binomial_is_far_under_it()
    {
        // A sparse platform: one steady family at 0.6 notices a day among others at 0.4 a day, so the family is most of any
        // window. Each of the family's notices on the last day places the windows as it comes (Palm), and the family is
        // tested with it. Per day, the notices whose rise for one family (no correction) is at most alpha number at most
        // alpha times the family's notices that day on average: the conditional test is exact, its tails discrete. Drawn
        // with replacement (the binomial with each window's share of the other notices), the members' own notices count as
        // room for more, and the same days give a small part of that.
        var random = new Random(5);
        var today = Day0.AddDays(100);
        const double familyRate = 0.6, otherRate = 0.4, alpha = 0.05;
        int days = 20_000, exactUnder = 0, binomialUnder = 0;
        for (int t = 0; t < days; t++)
        {
            var family = Enumerable.Range(0, 91).ToDictionary(d => today.AddDays(-d), _ => (long)Poisson.Sample(random, familyRate));
            var volume = family.ToDictionary(f => f.Key, f => f.Value + Poisson.Sample(random, otherRate));
            var earlier = family.Where(c => c.Key > today.AddDays(-7) && c.Key < today).SelectMany(c => Enumerable.Repeat(c.Key, (int)c.Value)).ToList();
            for (int arrived = 1; arrived <= family[today]; arrived++)
            {
                // Counted as notices arrive: the day so far holds the family's notices up to this one and the others'.
                var members = earlier.Concat(Enumerable.Repeat(today, arrived)).ToList();
                long FamilyOn(DateOnly d) => d == today ? arrived : family.GetValueOrDefault(d);
                long NoticesOn(DateOnly d) => d == today ? arrived + volume[today] - family[today] : volume.GetValueOrDefault(d);
                if (ClusterSignificance.RiseOfOne(members, FamilyOn, NoticesOn, [1, 3, 7], 84) <= alpha) exactUnder++;
                if (BinomialRise(members, FamilyOn, NoticesOn) <= alpha) binomialUnder++;
            }
        }
        double bound = alpha * familyRate, exactMean = exactUnder / (double)days, binomialMean = binomialUnder / (double)days;
        double error = Math.Sqrt(bound / days);
        Assert.True(exactMean <= bound + 3 * error, $"{exactMean:F4} a day at p <= {alpha}, bound {bound:F4}");
        Assert.True(binomialMean < exactMean / 2, $"binomial {binomialMean:F4}, exact {exactMean:F4}");
        Assert.True(exactMean >= bound / 8, $"{exactMean:F4} a day at p <= {alpha}: far under the bound {bound:F4}");
    }

    /// <summary>
    /// The rise with the binomial (as it was): the family's other notices drawn with replacement, each window by its share
    /// of the span's other notices; the chance that some window is as extreme is the hypergeometric one over a population
    /// ten thousand times as large, which is the binomial's to within a ten-thousandth.
    /// </summary>
    private static double BinomialRise(IReadOnlyList<DateOnly> memberDays, Func<DateOnly, long> familyOn, Func<DateOnly, long> noticesOn)
    {
        const long scale = 10_000;
        var newest = memberDays.Max();
        int[] lengths = [1, 3, 7];
        long NoticesIn(int from, int to) => Enumerable.Range(from, to - from).Sum(d => noticesOn(newest.AddDays(-d)));
        long before = NoticesIn(7, 91), n = memberDays.Count - 1 + Enumerable.Range(7, 84).Sum(d => familyOn(newest.AddDays(-d)));
        if (before == 0) return 1;
        long total = NoticesIn(0, 7) + before - 1;
        var room = lengths.Select(w => NoticesIn(0, w) - 1).ToArray();
        var tails = lengths.Select((w, i) => ClusterSignificance.BinomialTail(n, memberDays.Count(d => d > newest.AddDays(-w)) - 1, room[i] / (double)total)).ToArray();
        return Math.Min(1, ClusterSignificance.AnyWindowAsSmall(n, total * scale, room.Select(r => r * scale).ToArray(), [true, true, true], tails.Min()));
    }

    /// <summary>
    /// One day of a platform whose notices come from <paramref name="families"/> steady families (Poisson, each at its own
    /// rate, the same every day): each family with a notice on the day is tested as the cluster of its notices of the last
    /// week, its newest on that day. Returns how many of them the rise puts at or under <paramref name="alpha"/>, and how
    /// many the one-day window's tail would, times the number of windows but without the day's notices counted.
    /// </summary>
    private static int RisesOnOneDay(Random random, double[] rates, double alpha, out int uncorrected)
    {
        var today = Day0.AddDays(100);
        var counts = rates.Select(rate => Enumerable.Range(0, 91).ToDictionary(d => today.AddDays(-d), _ => (long)Poisson.Sample(random, rate))).ToList();
        long NoticesOn(DateOnly day) => counts.Sum(c => c.GetValueOrDefault(day));
        var volume = Enumerable.Range(0, 91).ToDictionary(d => today.AddDays(-d), d => NoticesOn(today.AddDays(-d)));
        int under = 0;
        uncorrected = 0;
        long before = Enumerable.Range(1, 84).Sum(d => volume[today.AddDays(-d)]);
        foreach (var family in counts.Where(c => c[today] > 0))
        {
            var earlier = family.Where(c => c.Key > today.AddDays(-7) && c.Key < today).SelectMany(c => Enumerable.Repeat(c.Key, (int)c.Value)).ToList();
            // Each of its notices that day places a window as it comes, with the family's notices so far.
            for (int arrived = 1; arrived <= family[today]; arrived++)
            {
                var members = earlier.Concat(Enumerable.Repeat(today, arrived)).ToList();
                double p = ClusterSignificance.Rise(members, d => family.GetValueOrDefault(d), d => volume.GetValueOrDefault(d), [1, 3, 7], 84);
                if (p <= alpha) under++;
                // The one-day window's tail times the windows, without the day's notices counted.
                long history = Enumerable.Range(1, 84).Sum(d => family.GetValueOrDefault(today.AddDays(-d)));
                double share = (volume[today] - 1) / (double)(volume[today] - 1 + before);
                if (3 * ClusterSignificance.BinomialTail(arrived - 1 + history, arrived - 1, share) <= alpha) uncorrected++;
            }
        }
        return under;
    }

    [Fact]
    public void on_a_day_of_steady_families_the_rises_found_are_at_most_the_level_and_not_far_under_it()
    {
        // Every notice of the day places a window as it comes and could be tested with it: the expected number of them
        // whose rise falls at or under alpha is at most alpha (Campbell's theorem; the correction is the day's notices).
        // It is well under it, the conditional tails being discrete (here 0.23 alpha with the hypergeometric tails, 0.17
        // alpha with the binomial ones), but it must not be far under that: with the whole window's notices as the
        // correction (a week's for the week-long window) and three times the smallest binomial tail, the same days gave
        // 0.038 alpha; with the day's notices but three times the smallest tail, 0.107 alpha; with no correction, the
        // one-day window's tail alone already finds more than alpha.
        var random = new Random(17);
        double[] rates = [.. Enumerable.Range(0, 24).Select(i => 0.5 * (1 + i % 6))]; // 0.5 to 3 a day, 42 notices a day
        const double alpha = 0.1;
        int days = 6000, found = 0, uncorrected = 0;
        for (int d = 0; d < days; d++)
        {
            found += RisesOnOneDay(random, rates, alpha, out int withoutTheDay);
            uncorrected += withoutTheDay;
        }
        double mean = found / (double)days, error = Math.Sqrt(alpha / days);
        Assert.True(mean <= alpha + 3 * error, $"{mean:F4} rises a day at p <= {alpha}");
        Assert.True(mean >= alpha / 8, $"{mean:F4} rises a day at p <= {alpha}: far under the level");
        // Without the day's notices counted, the one-day window alone finds more than the level.
        Assert.True(uncorrected / (double)days > alpha + 3 * error, $"{uncorrected} in {days} days");
    }

    private static void AssertClose(double expected, double actual, double relative) =>
        Assert.True(Math.Abs(actual - expected) <= relative * expected, $"expected {expected:G6}, got {actual:G6}");

    private static DateTimeOffset At(DateOnly day, double hours) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(hours);

    [Fact]
    public void reports_within_an_hour_of_a_spread_stratum_are_bunched_and_spread_ones_are_not()
    {
        var stratum = new Dictionary<string, IReadOnlyDictionary<DateOnly, long>>
        {
            ["yt|copyright"] = Enumerable.Range(0, 200).ToDictionary(d => Day0.AddDays(d), _ => 10L),
        };
        var withinAnHour = Enumerable.Range(0, 6).Select(i => (ClusterSignificance.Interval(At(Day0.AddDays(120), 9 + i / 5.0)), "yt|copyright")).ToList();
        // Any of the six first, the other five in the hour after it (a stretch at the very end of the history holds less).
        AssertClose(6 * Math.Pow(1 / (200 * 24.0), 5), ClusterSignificance.Bunching(withinAnHour, stratum), 1e-3);
        // Known only by their date (noon): as bunched as six anywhere in that day.
        var datesOnly = Enumerable.Repeat((ClusterSignificance.Interval(At(Day0.AddDays(120), 12)), "yt|copyright"), 6).ToList();
        AssertClose(6 * Math.Pow(1 / 200.0, 5), ClusterSignificance.Bunching(datesOnly, stratum), 1e-2);
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
            // Exact under its model, so about the level: at most it with the sampling error of the trials.
            Assert.True(under <= trials * alpha + 3 * Math.Sqrt(trials * alpha * (1 - alpha)), $"{under} of {trials} at p <= {alpha}");
        }
    }

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1), Day = TimeSpan.FromDays(1), Week = TimeSpan.FromDays(7);

    [Fact]
    public void given_the_links_that_formed_it_bunching_is_the_chance_of_the_span_given_the_links()
    {
        var stratum = new Dictionary<string, IReadOnlyDictionary<DateOnly, long>>
        {
            ["yt|copyright"] = Enumerable.Range(0, 200).ToDictionary(d => Day0.AddDays(d), _ => 10L),
        };
        List<((DateTimeOffset, DateTimeOffset), string)> Members(params double[] hours) =>
            hours.Select(h => (ClusterSignificance.Interval(At(Day0.AddDays(120), h)), "yt|copyright")).ToList();
        // Two reports 6 minutes apart, linked within an hour only: a tenth of the hour either side of the first, 0.1.
        AssertClose(0.1, ClusterSignificance.Bunching(Members(9, 9.1), stratum, [TimeSpan.Zero, Hour], Hour), 1e-3);
        // Six within 12 minutes, every pair linked within a week: the chance of the span, 6 (0.2 h / 200 days)^5, over
        // that of six following each other within a week, 6! (168 h / 200 days)^5: far under a millionth.
        var six = Members(Enumerable.Range(0, 6).Select(i => 9 + i / 25.0).ToArray());
        // (A week from either end of the history a stretch holds less, so a little more.)
        AssertClose(6.0 / 720 * Math.Pow(0.2 / 168, 5), ClusterSignificance.Bunching(six, stratum, [TimeSpan.Zero, Week, Week, Week, Week, Week], Week), 0.1);
        // Linked only along a tree (not every pair): each within its window of the first, 6 (0.2)^5 / (2 * 168)^5.
        AssertClose(6 * Math.Pow(0.2 / 336, 5), ClusterSignificance.Bunching(six, stratum, [TimeSpan.Zero, Week, Week, Week, Week, Week]), 0.1);
        // As far apart as the links allow: nothing beyond what formed the cluster.
        Assert.Equal(1, ClusterSignificance.Bunching(Members(9, 10), stratum, [TimeSpan.Zero, Hour], Hour));
    }

    [Fact]
    public void on_clusters_formed_by_times_alone_bunching_given_the_links_is_about_uniform_and_without_them_is_not()
    {
        // Reports drawn from a stratum that is busier on some days than others; a "cluster" is four of them that follow each
        // other within a day (what links holding within a day between every pair would join). Given that, their p-values
        // must be about uniform: at most the level, and not far under it.
        var random = new Random(11);
        var days = Enumerable.Range(0, 40).ToDictionary(d => Day0.AddDays(d), d => d % 3 == 0 ? 6L : 4L);
        var strata = new Dictionary<string, IReadOnlyDictionary<DateOnly, long>> { ["s"] = days };
        double total = days.Values.Sum();
        DateTimeOffset Draw()
        {
            double x = random.NextDouble() * total;
            foreach (var (day, n) in days)
                if ((x -= n) < 0) return At(day, random.NextDouble() * 24);
            return At(Day0.AddDays(39), 23);
        }
        var given = new List<double>();
        var without = new List<double>();
        while (given.Count < 2000)
        {
            var times = Enumerable.Range(0, 4).Select(_ => Draw()).Order().ToList();
            if (times.Zip(times.Skip(1)).Any(p => p.Second - p.First > Day)) continue;
            var members = times.Select(t => (ClusterSignificance.Interval(t), "s")).ToList();
            given.Add(ClusterSignificance.Bunching(members, strata, [TimeSpan.Zero, Day, Day, Day], Day));
            without.Add(ClusterSignificance.Bunching(members, strata));
        }
        foreach (double alpha in new[] { 0.01, 0.05, 0.2, 0.5 })
        {
            double share = given.Count(p => p <= alpha) / (double)given.Count;
            Assert.InRange(share, alpha / 3, alpha + 3 * Math.Sqrt(alpha * (1 - alpha) / given.Count));
        }
        // The same clusters tested as if their closeness were chance: most look bunched.
        Assert.True(without.Count(p => p <= 0.05) > 0.5 * without.Count, $"{without.Count(p => p <= 0.05)} of {without.Count}");
    }

    [Fact]
    public void the_linking_tree_takes_the_longest_windows_that_join_every_report()
    {
        // 0-1 hold within a week, 1-2 within a day, 2-3 within an hour only.
        Assert.Equal([TimeSpan.Zero, Week, Day, Hour], CampaignEngine.LinkingTree(4, [(0, 1, 3), (1, 2, 2), (2, 3, 1)]));
        // A week-long link from 0 to 3 too: 3 hangs from 0 by it, and the hour-long link is not needed.
        Assert.Equal([TimeSpan.Zero, Week, Day, Week], CampaignEngine.LinkingTree(4, [(0, 1, 3), (1, 2, 2), (2, 3, 1), (0, 3, 3)]));
        Assert.Null(CampaignEngine.LinkingTree(3, [(0, 1, 3)]));
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
