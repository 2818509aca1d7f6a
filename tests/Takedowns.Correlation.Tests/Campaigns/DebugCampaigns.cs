using Takedowns.Correlation.Campaigns;
using Takedowns.Scenarios;
namespace Takedowns.Correlation.Tests.Campaigns;
public sealed class DebugCampaigns(ITestOutputHelper output)
{
    [Fact]
    public async Task show()
    {
        var scenario = ScenarioGenerator.Generate(new ScenarioOptions { Countries = 4, CellsPerCountry = 16, Days = 150, Spikes = 0, Campaigns = 0, WarmUpDays = 60, Seed = 11 });
        var (_, events) = await CampaignEngineTests.RunAsync(scenario);
        var byExt = scenario.Reports.ToDictionary(r => r.ExternalId);
        foreach (var (id, e) in events.Where(e => e.Item2 is CampaignRaised).Take(19))
        {
            var r = (CampaignRaised)e;
            output.WriteLine($"{r.Members.Count} members p={r.PValue} score={r.Score} signals: {string.Join("; ", r.Signals)}");
            foreach (var m in r.Members.Take(3)) { var s = byExt[m.ExternalId!]; output.WriteLine($"   {s.OccurredAt:u} {s.Platform} {s.Category} {s.Claimant} {s.ClaimedOriginalUrl} | {s.NoticeText?.Replace("\n", " / ")[Math.Min(150, s.NoticeText.Length)..]}"); }
        }
        Assert.Fail("show");
    }
}
