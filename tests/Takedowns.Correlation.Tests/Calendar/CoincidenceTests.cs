using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Calendar;
using Takedowns.Correlation.Spikes;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Calendar;

public sealed class CoincidenceUnitTests
{
    private static readonly DateOnly From = new(2025, 1, 1), To = new(2026, 12, 31);

    private static CivicPeriod Period(string country, DateOnly start, int days = 2) =>
        new(Guid.NewGuid(), country, CivicPeriodType.Election, $"Synthetic election {start:yyyy-MM-dd}", start, start.AddDays(days - 1), DateTimeOffset.UnixEpoch);

    /// <summary>Eight elections in two years, spike onsets now and then uniformly at random, and some planted before elections.</summary>
    private static (List<CivicPeriod>, List<(string, DateOnly)>) World(int seed, int planted, int background = 30)
    {
        var random = new Random(seed);
        // Irregular, as civic calendars are: a calendar of fixed spacing would meet itself when shifted by that spacing.
        var periods = new List<CivicPeriod>();
        while (periods.Count < 8)
        {
            var start = From.AddDays(random.Next(20, 710));
            if (periods.All(p => Math.Abs(p.Start.DayNumber - start.DayNumber) > 30)) periods.Add(Period("KG", start));
        }
        var spikes = Enumerable.Range(0, background).Select(_ => ("KG", From.AddDays(random.Next(To.DayNumber - From.DayNumber + 1)))).ToList();
        // Planted: spikes in the fortnight before an election, as a campaign timed to it would give.
        foreach (var p in periods.Take(planted)) spikes.Add(("KG", p.Start.AddDays(-random.Next(1, 10))));
        return (periods, spikes);
    }

    [Fact]
    public void spikes_timed_to_elections_stand_out_with_their_periods_and_a_rate_ratio_above_one()
    {
        var (periods, spikes) = World(seed: 5, planted: 8, background: 12);
        var report = CivicCoincidence.Analyse(periods, spikes, From, To, CoincidenceSettings.Default);

        var kg = Assert.Single(report.Countries);
        Assert.Equal(20, kg.Spikes);
        Assert.True(kg.InWindows >= 8 && kg.InWindows > 2 * kg.ExpectedInWindows, $"{kg.InWindows} in windows, {kg.ExpectedInWindows} expected");
        Assert.True(kg.PValue < 0.01, $"p = {kg.PValue}");
        var before = Assert.Single(kg.RateRatios, r => r.Phase == "before");
        Assert.True(before.Low > 1, $"rate ratio before {before.Ratio} ({before.Low}-{before.High})");
        Assert.Equal(8, report.Periods.Count);
        Assert.All(report.Periods, p => Assert.True(p.QValue >= p.PValue));
        Assert.Contains(report.Periods, p => p.Significant);
    }

    [Fact]
    public void on_a_calendar_unrelated_to_the_spikes_the_test_rejects_at_about_its_level()
    {
        int rejected = 0, significantPeriods = 0;
        const int worlds = 200;
        for (int seed = 0; seed < worlds; seed++)
        {
            var (periods, spikes) = World(seed, planted: 0);
            var report = CivicCoincidence.Analyse(periods, spikes, From, To, CoincidenceSettings.Default);
            if (report.Countries[0].PValue <= 0.05) rejected++;
            significantPeriods += report.Periods.Count(p => p.Significant);
        }
        // The shift test is exact for its design: about 5 % of null worlds below 0.05 (allowing for sampling), and the
        // false-discovery control keeps significant periods rare.
        Assert.InRange(rejected, 2, 22);
        Assert.True(significantPeriods <= worlds * 8 * 0.02, $"{significantPeriods} periods significant in {worlds} null worlds");
    }

    [Fact]
    public void the_shift_test_counts_every_circular_shift_far_enough_from_the_calendar()
    {
        // Ten days, a window on days 2-3, onsets on days 2 and 7: one in the window. Shifts of 2 to 8 days put one of
        // them there twice (by 5 and 6 days) and none five times; with the calendar itself, 3 of 8 have at least one.
        var window = new bool[10];
        window[2] = window[3] = true;
        var (observed, expected, p) = CivicCoincidence.ShiftTest(window, [2, 7], minShift: 2);
        Assert.Equal(1, observed);
        Assert.Equal(2.0 / 7, expected, 10);
        Assert.Equal(3.0 / 8, p, 10);
    }

    [Fact]
    public void benjamini_hochberg_adjusts_in_the_given_order()
    {
        var q = CivicCoincidence.BenjaminiHochberg([0.04, 0.01, 0.03, 0.2]);
        // Sorted 0.01, 0.03, 0.04, 0.2: 0.2; min(0.2, 0.04·4/3); min(that, 0.03·4/2); min(that, 0.01·4/1).
        Assert.Equal(new[] { 0.04 * 4 / 3, 0.04, 0.04 * 4 / 3, 0.2 }.Select(x => Math.Round(x, 10)), q.Select(x => Math.Round(x, 10)));
    }
}

public sealed class CoincidenceTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private const string Path = "/api/analysis/civic-periods/coincidence";

    [Fact]
    public async Task spikes_and_periods_stored_are_read_against_each_other()
    {
        var client = host.CreateAdminClient();
        var start = new DateOnly(2026, 3, 15);
        using var created = await client.PostAsJsonAsync("/api/analysis/civic-periods",
            new { country = "MD", type = "election", name = "Synthetic parliamentary election", start = start.ToString("yyyy-MM-dd"), end = start.AddDays(1).ToString("yyyy-MM-dd") });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Guid periodId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("periodId").GetGuid();

        // Spikes as the scanner stores them: three in the fortnight before the election, one long after, one withdrawn.
        await using (var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            Spike Spike(DateOnly day, bool withdrawn = false) =>
                new(Guid.NewGuid(), new Slice("MD"), "MD", day, day.AddDays(2), 9, 2, 1e-5, "nb-tail", [], day, false, withdrawn, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
            session.Store(Spike(start.AddDays(-9)), Spike(start.AddDays(-4)), Spike(start.AddDays(-1)), Spike(start.AddDays(120)), Spike(start.AddDays(-3), withdrawn: true));
            await session.SaveChangesAsync();
        }

        using var response = await client.GetAsync($"{Path}?country=md&from=2026-01-01&to=2026-12-31");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        var md = Assert.Single(report.GetProperty("countries").EnumerateArray());
        Assert.Equal(4, md.GetProperty("spikes").GetInt32());
        Assert.Equal(3, md.GetProperty("inWindows").GetInt32());
        Assert.True(md.GetProperty("pValue").GetDouble() < 0.05);
        var period = Assert.Single(report.GetProperty("periods").EnumerateArray());
        Assert.Equal(periodId, period.GetProperty("periodId").GetGuid());
        Assert.Equal(3, period.GetProperty("spikesInWindow").GetInt32());
        Assert.Equal(["before", "during", "after"], md.GetProperty("rateRatios").EnumerateArray().Select(r => r.GetProperty("phase").GetString()));
    }

    [Theory]
    [InlineData("country=Moldova", "country")]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("from=2026-06-01&to=2026-06-10", "from")]
    [InlineData("from=2000-01-01&to=2026-06-10", "from")]
    [InlineData("to=tomorrow", "to")]
    public async Task bad_queries_name_the_field(string query, string field)
    {
        using var response = await host.CreateAdminClient().GetAsync($"{Path}?{query}");
        await Problems.AssertNamesFieldAsync(response, field);
    }

    [Fact]
    public async Task anonymous_callers_are_refused()
    {
        using var response = await host.CreateClient().GetAsync(Path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
