using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Campaigns;
using Takedowns.Scenarios;

namespace Takedowns.Correlation.Tests.Campaigns;

public sealed class CampaignEngineTests(ITestOutputHelper output)
{
    private static readonly ScenarioOptions Small = new() { Countries = 4, CellsPerCountry = 16, Days = 150, Spikes = 0, Campaigns = 15, WarmUpDays = 60 };

    /// <summary>Feeds a scenario's reports, in the order they arrive, through detection held in memory.</summary>
    internal static async Task<(IReadOnlyList<DetectedCampaign> Campaigns, List<(Guid, object)> Events)> RunAsync(Scenario scenario, CampaignSettings? settings = null)
    {
        var engine = new CampaignEngine(new CampaignState(EmptyCampaignBackend.Instance), settings ?? CampaignSettings.Default);
        var members = new Dictionary<Guid, HashSet<string>>();
        var raisedAfter = new Dictionary<Guid, int>();
        var all = new List<(Guid, object)>();
        var now = DateTimeOffset.UnixEpoch;
        for (int i = 0; i < scenario.Reports.Count; i++)
        {
            var r = scenario.Reports[i];
            var id = Takedowns.ServiceDefaults.NameBasedGuid.Create($"report:{r.ExternalId}");
            var incident = Takedowns.ServiceDefaults.NameBasedGuid.Create($"incident:{r.Platform}|{r.AccountHandle}|{r.Action}");
            var events = await engine.ObserveAsync(new NoticeReport(id, Guid.Empty, incident, r.Country, r.Platform, r.SubjectType, r.Category,
                DateOnly.FromDateTime(r.OccurredAt.UtcDateTime), r.OccurredAt, r.ExternalId,
                new ReportNotice(r.Policy, r.Claimant, r.NoticeText, r.ClaimedOriginalUrl is null ? null : new Uri(r.ClaimedOriginalUrl).Host), 1), now, CancellationToken.None);
            all.AddRange(events);
            foreach (var (campaign, e) in events)
            {
                switch (e)
                {
                    case CampaignRaised raised:
                        members[campaign] = raised.Members.Select(m => m.ExternalId!).ToHashSet();
                        raisedAfter[campaign] = i;
                        break;
                    case CampaignReportLinked linked:
                        members[campaign].Add(linked.Member.ExternalId!);
                        break;
                    case CampaignAbsorbed absorbed:
                        members[campaign].UnionWith(absorbed.Members.Select(m => m.ExternalId!));
                        break;
                    case CampaignMergedInto merged:
                        members.Remove(campaign);
                        break;
                }
            }
        }
        return (members.Select(p => new DetectedCampaign(p.Value, raisedAfter[p.Key])).ToList(), all);
    }

    [Fact]
    public async Task planted_campaigns_are_found_and_null_worlds_raise_none()
    {
        var scores = new List<CampaignScore>();
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var scenario = ScenarioGenerator.Generate(Small with { Seed = seed });
            var (detected, _) = await RunAsync(scenario);
            var score = CampaignScoring.Score(scenario, detected);
            output.WriteLine($"seed {seed} ({scenario.Reports.Count} reports): {score}");
            scores.Add(score);
        }
        var nulls = new List<CampaignScore>();
        foreach (int seed in new[] { 11, 12 })
        {
            var scenario = ScenarioGenerator.Generate((Small with { Seed = seed }).AsNull());
            var (detected, _) = await RunAsync(scenario);
            var score = CampaignScoring.Score(scenario, detected);
            output.WriteLine($"null seed {seed} ({scenario.Reports.Count} reports): {score}");
            nulls.Add(score);
        }
        double recall = (double)scores.Sum(s => s.Recalled) / scores.Sum(s => s.Planted);
        double f1 = scores.Average(s => s.BCubedF1);
        double falsePer10000 = nulls.Sum(s => s.FalseCampaigns) * 10_000.0 / nulls.Sum(s => s.Reports);
        output.WriteLine($"recall {recall:P1}, B-cubed F1 {f1:F3}, false campaigns per 10,000 reports on null worlds {falsePer10000:F2}");
        Assert.Fail("show");
    }
}
