using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Publishing.Tests.Campaigns;

/// <summary>Publishing on the real broker, sent campaign events as Correlation sends them.</summary>
public sealed class CampaignMembershipTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private Task PublishAsync<T>(T message) where T : class => Delivery.UntilDeliveredAsync(host.Services.GetRequiredService<MassTransit.IBus>(), message);

    private async Task<JsonElement> GetAsync(string path) =>
        (await host.CreateClient().GetFromJsonAsync<JsonElement>(path)).GetProperty("items");

    [Fact]
    public async Task a_confirmed_campaign_follows_its_splits_and_merges_and_leaves_view_below_k()
    {
        var reports = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToList();
        var now = DateTimeOffset.UtcNow;
        var suspected = new CampaignSuspected(Guid.NewGuid(), reports, 11.2, 0.001, ["near-identical notice text"], ["AM", "KZ"], [Platform.Telegram, Platform.YouTube],
            now.AddDays(-3), now.AddDays(-1), now);
        await PublishAsync(suspected);
        await PublishAsync(new CampaignConfirmed(suspected.CampaignId, reports, null, now, ["AM", "KZ"], [Platform.Telegram, Platform.YouTube], now.AddDays(-3), now.AddDays(-1), Revision: 2));
        JsonElement Shown(JsonElement items) => items.EnumerateArray().SingleOrDefault(i => i.GetProperty("signals")[0].GetString() == "near-identical notice text"
            && i.GetProperty("countries").EnumerateArray().Any(c => c.GetString() == "KZ"));
        await Eventually.Until(() => GetAsync("/api/public/campaigns"), i => Shown(i).ValueKind == JsonValueKind.Object, what: "the confirmed campaign");

        // The only Armenian and Telegram report is split off: the campaign keeps 5 reports, in Kazakhstan, on YouTube.
        var split = new CampaignReportSplitOff(suspected.CampaignId, reports[0], reports[1..], ["KZ"], [Platform.YouTube], now.AddDays(-2), now.AddDays(-1), now, Revision: 3);
        await PublishAsync(split);
        var campaign = Shown(await Eventually.Until(() => GetAsync("/api/public/campaigns"),
            i => Shown(i) is { ValueKind: JsonValueKind.Object } c && c.GetProperty("reportCount").GetInt32() == 5, what: "the split to reach the public campaign"));
        Assert.Equal(["KZ"], campaign.GetProperty("countries").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["youtube"], campaign.GetProperty("platforms").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(DateOnly.FromDateTime(now.AddDays(-2).UtcDateTime).ToString("yyyy-MM-dd"), campaign.GetProperty("firstSeen").GetString());

        // A second split leaves 4, fewer than k = 5: out of public view; the older confirmation arriving again changes nothing.
        await PublishAsync(split with { ReportId = reports[1], ReportIds = reports[2..], Revision = 4 });
        await PublishAsync(new CampaignConfirmed(suspected.CampaignId, reports, null, now, ["AM", "KZ"], [Platform.Telegram, Platform.YouTube], now.AddDays(-3), now.AddDays(-1), Revision: 2));
        await Eventually.Until(() => GetAsync("/api/public/campaigns"), i => Shown(i).ValueKind == JsonValueKind.Undefined, what: "the campaign to leave public view");
        await Task.Delay(1000);
        Assert.Equal(JsonValueKind.Undefined, Shown(await GetAsync("/api/public/campaigns")).ValueKind);

        // Another campaign merged into it brings it back, with the other's countries.
        var other = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        await PublishAsync(new CampaignsMerged(suspected.CampaignId, [Guid.NewGuid()], [.. reports[2..], .. other], now, ["KG", "KZ"], [Platform.YouTube], now.AddDays(-2), now, Revision: 6));
        campaign = Shown(await Eventually.Until(() => GetAsync("/api/public/campaigns"), i => Shown(i).ValueKind == JsonValueKind.Object, what: "the merged campaign"));
        Assert.Equal(7, campaign.GetProperty("reportCount").GetInt32());
        Assert.Equal(["KG", "KZ"], campaign.GetProperty("countries").EnumerateArray().Select(c => c.GetString()));
    }
}
