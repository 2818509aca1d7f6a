using Takedowns.Scenarios;
using Takedowns.Scenarios.FamilyC;

namespace Takedowns.Correlation.Tests.Scenarios;

public sealed class FamilyCGeneratorTests
{
    private static readonly ScenarioOptions Small = new()
    {
        Countries = 3, CellsPerCountry = 20, Days = 200, WarmUpDays = FamilyCGenerator.WarmUpDays, Spikes = 16, Campaigns = 15,
    };

    private static string Row(SyntheticReport r) =>
        $"{r.Organisation}|{r.Platform}|{r.AccountHandle}|{r.SubjectType}|{r.Country}|{r.Action}|{r.Category}|{r.Policy}|{r.NoticeText}|{r.Claimant}|{r.ClaimedOriginalUrl}|{r.OccurredAt:O}|{r.ReportedAt:O}|{r.Campaign}|{r.Spike}|{r.Duplicate}";

    [Fact]
    public void The_same_seed_gives_the_same_scenario_and_another_seed_another()
    {
        var first = FamilyCGenerator.Generate(Small with { Seed = 4 });
        var again = ScenarioFamilies.Generate(ScenarioFamily.C, Small with { Seed = 4 });
        var other = FamilyCGenerator.Generate(Small with { Seed = 5 });

        Assert.Equal(first.Reports.Select(r => r.ExternalId + "|" + Row(r)), again.Reports.Select(r => r.ExternalId + "|" + Row(r)));
        Assert.Equal(first.Spikes.Select(s => $"{s.Start}|{s.End}|{s.StandardDeviations}|{string.Join(",", s.Extra)}"), again.Spikes.Select(s => $"{s.Start}|{s.End}|{s.StandardDeviations}|{string.Join(",", s.Extra)}"));
        Assert.Equal(first.Campaigns.Select(c => $"{c.Start}|{c.Size}|{c.ClaimantStyle}"), again.Campaigns.Select(c => $"{c.Start}|{c.Size}|{c.ClaimantStyle}"));
        Assert.NotEqual(first.Reports.Select(Row), other.Reports.Select(Row));
        Assert.Equal(first.Reports.Count, first.Reports.Select(r => r.ExternalId).Distinct().Count());
    }

    [Fact]
    public void The_null_variant_plants_nothing_in_the_same_world()
    {
        var planted = FamilyCGenerator.Generate(Small with { Seed = 6 });
        var none = FamilyCGenerator.Generate((Small with { Seed = 6 }).AsNull());

        Assert.NotEmpty(planted.Spikes);
        Assert.NotEmpty(planted.Campaigns);
        Assert.Empty(none.Spikes);
        Assert.Empty(none.Campaigns);
        Assert.DoesNotContain(none.Reports, r => r.Campaign is not null || r.Spike is not null);
        // The same world: cells, calendar, bursts and every report that is not planted, to the letter.
        Assert.Equal(planted.Cells, none.Cells);
        Assert.Equal(planted.CivicPeriods, none.CivicPeriods);
        Assert.Equal(planted.OrganicBursts, none.OrganicBursts);
        Assert.Equal(planted.Reports.Where(r => r.Campaign is null && r.Spike is null).Select(Row).Order(StringComparer.Ordinal),
            none.Reports.Select(Row).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_planted_campaign_shares_at_least_two_signals_across_organisations()
    {
        var scenario = FamilyCGenerator.Generate(Small with { Seed = 3, Campaigns = 40 });

        foreach (var c in scenario.Campaigns)
        {
            var members = scenario.Reports.Where(r => r.Campaign == c.Index).ToList();
            Assert.Equal(c.Size, members.Count);
            Assert.InRange(c.Size, 5, 40);
            Assert.True(members.Select(r => r.Organisation).Distinct().Count() >= 2, $"campaign {c.Index} comes from one organisation");
            Assert.True(c.SharedSignals.Count(s => s != "policy cited") >= 2, $"campaign {c.Index}: {string.Join(", ", c.SharedSignals)}");
            Assert.True(CampaignScoring.Counts(c));
            Assert.Single(members.Select(r => (r.Platform, r.Policy)).Distinct());

            // Each signal it claims holds in its reports.
            var first = Words(members[0].NoticeText!);
            Assert.All(members, r => Assert.True(Jaccard(first, Words(r.NoticeText!)) >= 0.35, $"campaign {c.Index}: a copy's text is too far from the first"));
            if (c.SharedSignals.Contains("claimant"))
                Assert.Single(members.Select(r => FamilyCGenerator.Fold(r.Claimant!)).Distinct());
            if (c.SharedSignals.Contains("claimant name pattern"))
                Assert.All(members, r => Assert.True(FamilyCGenerator.FollowsPattern(r.Claimant!), r.Claimant));
            if (c.SharedSignals.Contains("claimed-original domain"))
                Assert.Single(members.Select(r => new Uri(r.ClaimedOriginalUrl!).Host).Distinct());
            if (c.LookAlikeLetters)
                Assert.Contains(members, r => r.NoticeText!.Split(' ').Any(MixesScripts));
        }
        Assert.Contains(scenario.Campaigns, c => c.LookAlikeLetters);
        Assert.Contains(scenario.Campaigns, CampaignScoring.RandomNamed);
        Assert.Contains(scenario.Campaigns, c => c.Size <= 8 && c.EditRate >= 0.15);
    }

    [Fact]
    public void Every_planted_spike_adds_its_standard_deviations_over_the_cells_baseline_as_generated()
    {
        var options = Small with { Seed = 1 };
        var planted = FamilyCGenerator.Generate(options);
        var none = FamilyCGenerator.Generate(options.AsNull());
        var sd = FamilyCGenerator.BaselineSd(options);
        var o = planted.Options;

        foreach (var s in planted.Spikes)
            for (int k = 0; k < s.Cells.Count; k++)
            {
                var cell = s.Cells[k];
                for (var day = s.Start; day <= s.End; day = day.AddDays(1))
                {
                    double baseline = sd[cell][day.DayNumber - o.Start.DayNumber];
                    Assert.True(s.Extra[k] >= s.StandardDeviations * baseline, $"spike {s.Index} adds {s.Extra[k]} on {day}, under {s.StandardDeviations:F1} x {baseline:F2}");
                    Assert.Equal(Count(none, cell, day) + s.Extra[k], Count(planted, cell, day));
                }
            }
        Assert.True(planted.Spikes.Count(SpikeScoring.IsReference) >= planted.Spikes.Count / 2);
        Assert.Contains(planted.Spikes, s => SpikeScoring.IsReference(s) && s.Start.DayNumber < o.End.DayNumber - FamilyCGenerator.HistoryDays);
        Assert.Contains(planted.Spikes, s => s.InCivicPeriod);
    }

    [Fact]
    public void Most_cells_see_under_one_report_a_week_and_every_country_has_a_dense_one()
    {
        var scenario = FamilyCGenerator.Generate(Small with { Seed = 2 });

        Assert.True(scenario.Cells.Count(c => c.Rate < 1.0 / 7) >= scenario.Cells.Count / 2, string.Join(" ", scenario.Cells.Select(c => c.Rate.ToString("F3"))));
        Assert.All(scenario.Cells.GroupBy(c => c.Country), g => Assert.Contains(g, c => c.Rate >= 1));
    }

    private static int Count(Scenario scenario, Cell cell, DateOnly day) =>
        scenario.Reports.Count(r => !r.Duplicate && r.Campaign is null && r.Country == cell.Country && r.Platform == cell.Platform && r.Category == cell.Category &&
                                    r.SubjectType == cell.SubjectType && DateOnly.FromDateTime(r.OccurredAt.UtcDateTime) == day);

    private static HashSet<string> Words(string text) =>
        FamilyCGenerator.Fold(text).ToLowerInvariant().Split([' ', '\n', ',', '.', '«', '»', '"'], StringSplitOptions.RemoveEmptyEntries).ToHashSet();

    private static double Jaccard(HashSet<string> a, HashSet<string> b) => (double)a.Intersect(b).Count() / a.Union(b).Count();

    private static bool MixesScripts(string word) =>
        word.Any(ch => ch is >= 'a' and <= 'z' or >= 'A' and <= 'Z') && word.Any(ch => ch is >= '\u0400' and <= '\u04FF');
}
