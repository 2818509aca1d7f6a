using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Correlation.Campaigns;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Integration;

/// <summary>Correlation with queues bound to its campaign messages, so that what it publishes stays to be read.</summary>
public sealed class CampaignGrowthHost : ServiceHost<Program>
{
    public const string Suspected = "capture-campaign-suspected", Linked = "capture-campaign-linked";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Inspect.BindCaptureQueueAsync(VirtualHost, "Takedowns.Contracts.Analysis:CampaignSuspected", Suspected);
        await Inspect.BindCaptureQueueAsync(VirtualHost, "Takedowns.Contracts.Analysis:CampaignReportsLinked", Linked);
    }
}

/// <summary>
/// Reports detection links to a campaign after raising it reach the bus as the campaign's membership, once per run of
/// links and not once per report, so that the services that follow campaigns (Escalation's packets) see it grow.
/// </summary>
public sealed class CampaignGrowthTests(CampaignGrowthHost host) : IClassFixture<CampaignGrowthHost>
{
    [Fact]
    public async Task reports_linked_to_a_raised_campaign_are_published_as_its_membership_once_per_run_of_links()
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var at = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        CampaignMember Member(int day, string country) => new(Guid.NewGuid(), Guid.NewGuid(), null, at.AddDays(day), Platform.YouTube, country);
        var first = new[] { Member(0, "KZ"), Member(1, "KZ") };
        var later = new[] { Member(2, "KG"), Member(3, "KG"), Member(4, "KZ") };
        var campaignId = Guid.NewGuid();
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream<Campaign>(campaignId, new CampaignRaised(campaignId, Guid.NewGuid(), first, ["same claimant"], 9, 1e-5, at.AddDays(1)));
            await session.SaveChangesAsync();
        }
        await using (var session = store.LightweightSession())
        {
            session.Events.Append(campaignId, later.Select(m => (object)new CampaignReportLinked(campaignId, m, at.AddDays(5))).ToArray());
            await session.SaveChangesAsync();
        }

        var linked = await Eventually.Until(async () => (await Inspect.AllMessagesAsync(host.VirtualHost))
                .Where(b => b.Contains("CampaignReportsLinked") && b.Contains(campaignId.ToString())).ToList(),
            m => m.Count > 0, what: "the campaign's growth to be published");
        await SubscriptionProgress.WaitUntilCaughtUpAsync(host.Schema, [Takedowns.Correlation.Integration.AnalysisForwarder.SubscriptionName + ":All"], TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Inspect.CountAsync(host.VirtualHost, CampaignGrowthHost.Linked));
        var message = JsonDocument.Parse(Assert.Single(linked)).RootElement.GetProperty("message");
        Assert.Equal(first.Concat(later).Select(m => m.ReportId).Order(), message.GetProperty("reportIds").EnumerateArray().Select(r => r.GetGuid()).Order());
        Assert.Equal(["KG", "KZ"], message.GetProperty("countries").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(4, message.GetProperty("revision").GetInt64()); // the last of the three links: the stream's fourth event
        Assert.Equal(at.AddDays(4), message.GetProperty("lastSeen").GetDateTimeOffset());
        await Inspect.PurgeAsync(host.VirtualHost, CampaignGrowthHost.Linked);
        await Inspect.PurgeAsync(host.VirtualHost, CampaignGrowthHost.Suspected);
    }
}
