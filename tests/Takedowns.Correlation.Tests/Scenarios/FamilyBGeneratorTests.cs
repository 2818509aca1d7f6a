using Takedowns.Scenarios;
using Takedowns.Scenarios.FamilyB;

namespace Takedowns.Correlation.Tests.Scenarios;

public sealed class FamilyBGeneratorTests
{
    private static readonly ScenarioOptions Small = new() { Countries = 3, CellsPerCountry = 20, Days = 200, WarmUpDays = 56, Spikes = 10, Campaigns = 14 };

    [Fact]
    public void The_same_seed_gives_the_same_scenario_and_another_seed_another()
    {
        var first = FamilyBGenerator.Generate(Small with { Seed = 4 });
        var again = FamilyBGenerator.Generate(Small with { Seed = 4 });
        var other = FamilyBGenerator.Generate(Small with { Seed = 5 });

        Assert.Equal(ScenarioFiles.Csv(first.Reports), ScenarioFiles.Csv(again.Reports));
        Assert.Equal(first.Reports.Select(r => (r.Campaign, r.Spike)), again.Reports.Select(r => (r.Campaign, r.Spike)));
        Assert.Equal(first.Spikes.Select(s => (s.Start, s.End, s.StandardDeviations)), again.Spikes.Select(s => (s.Start, s.End, s.StandardDeviations)));
        Assert.NotEqual(ScenarioFiles.Csv(first.Reports), ScenarioFiles.Csv(other.Reports));
    }

    [Fact]
    public void A_null_scenario_has_nothing_planted_but_keeps_its_world()
    {
        var planted = FamilyBGenerator.Generate(Small with { Seed = 6 });
        var none = FamilyBGenerator.Generate((Small with { Seed = 6 }).AsNull());

        Assert.Empty(none.Spikes);
        Assert.Empty(none.Campaigns);
        Assert.DoesNotContain(none.Reports, r => r.Campaign is not null || r.Spike is not null);
        Assert.NotEmpty(planted.Spikes);
        Assert.NotEmpty(planted.Campaigns);
        // The same world: the null scenario's reports are the planted one's less what was planted.
        Assert.Equal(planted.Reports.Count(r => r.Campaign is null && r.Spike is null), none.Reports.Count);
        Assert.Equal(planted.CivicPeriods, none.CivicPeriods);
    }

    [Fact]
    public void Campaigns_planted_with_look_alike_letters_mix_scripts_within_words_in_every_copy()
    {
        var scenario = FamilyBGenerator.Generate(Small with { Seed = 3, Campaigns = 30 });
        var lookAlike = scenario.Campaigns.Where(c => c.LookAlikeLetters).ToList();

        Assert.NotEmpty(lookAlike);
        foreach (var c in lookAlike)
        {
            var texts = scenario.Reports.Where(r => r.Campaign == c.Index).Select(r => r.NoticeText!).ToList();
            Assert.Equal(c.Size, texts.Count);
            Assert.All(texts, t => Assert.True(LookAlikes.HasMixedWord(t), t));
            Assert.True(texts.Distinct().Count() == texts.Count, "each copy differs");
        }
        // Ordinary notices are written in one script per word.
        Assert.True(scenario.Reports.Where(r => r.Campaign is null && r.NoticeText is not null).Count(r => LookAlikes.HasMixedWord(r.NoticeText!))
                    < scenario.Reports.Count(r => r.Campaign is null) / 100);
    }

    [Fact]
    public void Small_campaigns_have_five_to_eight_reports_with_fifteen_to_twenty_five_percent_edited()
    {
        var scenario = FamilyBGenerator.Generate(Small with { Seed = 8, Campaigns = 30 });

        var small = scenario.Campaigns.Where(c => c.Size <= 8).ToList();
        Assert.NotEmpty(small);
        Assert.All(scenario.Campaigns, c => Assert.InRange(c.Size, 5, 40));
        Assert.All(small, c => Assert.InRange(c.EditRate, 0.15, 0.25));
        Assert.Contains(scenario.Campaigns, c => c.ClaimantStyle == "random names" && CampaignScoring.RandomNamed(c));
    }

    [Fact]
    public void Most_country_platform_category_cells_see_well_under_one_report_a_week()
    {
        var scenario = FamilyBGenerator.Generate((Small with { Seed = 2 }).AsNull());

        var perDay = scenario.Reports.Where(r => !r.Duplicate).GroupBy(r => (r.Country, r.Platform, r.Category))
            .Select(g => g.Count() / (double)Small.Days).ToList();
        Assert.True(perDay.Count(rate => rate < 1 / 7.0) > perDay.Count * 0.6, $"{perDay.Count(rate => rate < 1 / 7.0)} of {perDay.Count} under one a week");
        Assert.Contains(perDay, rate => rate > 3); // and dense ones beside them
    }

    [Fact]
    public void A_spike_is_planted_in_imported_history_before_a_referendum()
    {
        var scenario = FamilyBGenerator.Generate(Small with { Seed = 1 });
        var o = scenario.Options;

        var referendum = Assert.Single(scenario.CivicPeriods, p => p.Type == "referendum");
        var history = scenario.Spikes.Where(s => s.Start.DayNumber < o.End.DayNumber - FamilyBGenerator.HistoryDays).ToList();
        Assert.Contains(history, s => s.End == referendum.End && s.InCivicPeriod && SpikeScoring.IsReference(s));
        // Its reports arrived together, weeks after they happened.
        var reports = scenario.Reports.Where(r => r.Spike == history[0].Index).ToList();
        Assert.All(reports, r => Assert.True(r.ReportedAt - r.OccurredAt > TimeSpan.FromDays(60)));
    }

    [Fact]
    public void Notices_come_from_over_thirty_templates_in_eight_languages_and_scripts()
    {
        Assert.True(Notices.Templates.Select(t => t.Id).Distinct().Count() >= 30);
        Assert.Equal(Enum.GetValues<Language>().Length, Notices.Templates.Select(t => t.Language).Distinct().Count());
        var scenario = FamilyBGenerator.Generate(Small with { Seed = 9, Countries = 5 });
        var apostrophes = scenario.Reports.Where(r => r.NoticeText is not null && r.NoticeText.Contains("o") && r.Country == "UZ")
            .SelectMany(r => LookAlikes.Apostrophes.Where(a => r.NoticeText!.Contains("o" + a))).Distinct().Count();
        Assert.True(apostrophes >= 4, $"{apostrophes} apostrophe forms in Uzbek notices");
    }
}
