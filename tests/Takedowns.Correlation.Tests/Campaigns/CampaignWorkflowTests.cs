using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Campaigns;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>A Correlation host with queues standing in for the services that consume analysis events.</summary>
public sealed class AnalysisHost : ServiceHost<Program>
{
    public static readonly string[] Events =
    [
        "SpikeDetected", "SpikeEnded", "CampaignSuspected", "CampaignConfirmed", "CampaignDismissed", "CampaignsMerged", "CampaignReportSplitOff", "CampaignReportsLinked",
    ];

    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["Detection:ScanInterval"] = "01:00:00" };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var e in Events) await Inspect.BindCaptureQueueAsync(VirtualHost, $"Takedowns.Contracts.Analysis:{e}", $"capture-{e}");
    }
}

public sealed class CampaignWorkflowTests(AnalysisHost host) : IClassFixture<AnalysisHost>
{
    private const string Path = "/api/analysis/campaigns";
    private static readonly DateTimeOffset Start = new(2026, 9, 14, 9, 0, 0, TimeSpan.Zero);

    private static string Words(Random random, int n) =>
        string.Join(' ', Enumerable.Range(0, n).Select(_ => new string(Enumerable.Range(0, random.Next(3, 9)).Select(_ => (char)('a' + random.Next(26))).ToArray())));

    private static ReportSubmitted Report(DateTimeOffset at, string claimant, string text, Platform platform = Platform.YouTube, string? domain = null) =>
        Submissions.Report(country: "KG", platform: platform, category: GroundCategory.IntellectualProperty, occurredOn: DateOnly.FromDateTime(at.UtcDateTime)) with
        {
            OccurredAt = at,
            ExternalId = "ext-" + Guid.NewGuid().ToString("N")[..10],
            Notice = new ReportNotice("Copyright", claimant, text, domain),
            Imported = true,
        };

    private async Task PublishAsync(IEnumerable<ReportSubmitted> reports)
    {
        var bus = host.Services.GetRequiredService<IBus>();
        foreach (var chunk in reports.Chunk(ReportChanges.MaxChanges))
            await bus.PublishIntegrationEvent(new ReportChanges(chunk.Select(r => new ReportChange(Guid.NewGuid(), Submitted: r)).ToList()), Guid.NewGuid(), CancellationToken.None);
    }

    private async Task<JsonElement> GetAsync(string path, string? key = null)
    {
        using var response = await host.CreateClient(key ?? ServiceHost<Program>.AdminKey).GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    private async Task<HttpResponseMessage> PostAsync(Guid campaignId, string verb, object? body) =>
        await host.CreateAdminClient().PostAsync($"{Path}/{campaignId}/{verb}",
            new StringContent(body is null ? "" : JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    private async Task<JsonElement> CampaignsAsync(string query, Func<JsonElement, bool> until, string what) =>
        await Eventually.Until(async () => (await GetAsync($"{Path}?{query}")).GetProperty("items"), until, what: what);

    [Fact]
    public async Task a_campaign_is_suspected_then_confirmed_annotated_split_merged_and_dismissed_for_good()
    {
        var random = new Random(7);
        // Two months of unrelated notices on both platforms, the background chance and each family's history are measured against.
        var background = Enumerable.Range(0, 120).Select(i => Report(Start.AddDays(-60 + i / 2.0).AddMinutes(random.Next(600)), $"Claimant {Words(random, 1)}", Words(random, 40),
            i % 3 == 0 ? Platform.Telegram : Platform.YouTube)).ToList();
        string campaignText = "We are the exclusive owner of the documentary shown in this upload. " + Words(new Random(1), 40);
        var campaign = Enumerable.Range(0, 8).Select(i => Report(Start.AddMinutes(7 * i), "Kalomir Media Group", i % 2 == 0 ? campaignText : campaignText.ToUpperInvariant(), domain: "kalomir-archive.example")).ToList();
        string otherText = "The account impersonates our editorial office and misleads its readers. " + Words(new Random(2), 40);
        var other = Enumerable.Range(0, 6).Select(i => Report(Start.AddHours(30).AddMinutes(5 * i), "Borealis Rights Agency", otherText, Platform.Telegram)).ToList();
        await PublishAsync([.. background, .. campaign, .. other]);

        var items = await CampaignsAsync("status=suspected", i => i.GetArrayLength() >= 2, "two suspected campaigns");
        Assert.Equal(2, items.GetArrayLength());
        var first = items.EnumerateArray().Single(i => i.GetProperty("platforms")[0].GetString() == "youtube");
        var second = items.EnumerateArray().Single(i => i.GetProperty("platforms")[0].GetString() == "telegram");
        Guid firstId = first.GetProperty("campaignId").GetGuid(), secondId = second.GetProperty("campaignId").GetGuid();
        Assert.Equal(8, first.GetProperty("reportCount").GetInt32());
        // Raised on its first test, at 4 copies: the newest places the window, so three copies in a day against two
        // months of a family with no history, under the level of a first candidate.
        Assert.True(first.GetProperty("pValue").GetDouble() <= OnlineDiscovery.Level(CampaignSettings.Default.FalseDiscoveryRate, 1, 0));
        Assert.Contains("near-identical notice text", first.GetProperty("signals").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains("same claimant", first.GetProperty("signals").EnumerateArray().Select(s => s.GetString()));

        var detail = await GetAsync($"{Path}/{firstId}");
        var reports = detail.GetProperty("reports").EnumerateArray().ToList();
        Assert.Equal(campaign.Select(c => c.ExternalId).Order(), reports.Select(r => r.GetProperty("externalId").GetString()).Order());
        Assert.All(reports, r => Assert.Equal("KG", r.GetProperty("country").GetString()));
        Assert.NotEmpty(detail.GetProperty("timeline").EnumerateArray());

        // Analysts act; each action is recorded and shown.
        using (var confirmed = await PostAsync(firstId, "confirm", new { note = "Same agent as last spring" }))
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        using (var noted = await PostAsync(firstId, "annotate", new { note = "Escalate to the platform" }))
            Assert.Equal(HttpStatusCode.OK, noted.StatusCode);
        Guid splitId = campaign[3].ReportId;
        using (var split = await PostAsync(firstId, "split", new { reportId = splitId, reason = "A genuine claim" }))
        {
            Assert.Equal(HttpStatusCode.OK, split.StatusCode);
            var after = await split.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("confirmed", after.GetProperty("status").GetString());
            Assert.Equal(7, after.GetProperty("reportCount").GetInt32());
            Assert.True(after.GetProperty("timeline").GetArrayLength() >= 4);
        }
        using (var merged = await PostAsync(firstId, "merge", new { campaignIds = new[] { secondId } }))
        {
            Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
            Assert.Equal(13, (await merged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reportCount").GetInt32());
        }
        Assert.Equal("merged", (await GetAsync($"{Path}/{secondId}")).GetProperty("status").GetString());
        using (var late = await PostAsync(secondId, "confirm", null))
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        using (var dismissed = await PostAsync(firstId, "dismiss", new { reason = "Coordinated, but by a legitimate collecting society" }))
            Assert.Equal(HttpStatusCode.OK, dismissed.StatusCode);

        // More of the same after the dismissal: linked to the dismissed campaign, never raised again.
        await PublishAsync(Enumerable.Range(0, 4).Select(i => Report(Start.AddHours(2).AddMinutes(3 * i), "Kalomir Media Group", campaignText, domain: "kalomir-archive.example")));
        var dismissedDetail = await Eventually.Until(() => GetAsync($"{Path}/{firstId}"), d => d.GetProperty("reportCount").GetInt32() >= 17, what: "the new reports to join the dismissed campaign");
        Assert.Equal("dismissed", dismissedDetail.GetProperty("status").GetString());
        Assert.Empty((await GetAsync($"{Path}?status=suspected")).GetProperty("items").EnumerateArray());
        Assert.DoesNotContain(dismissedDetail.GetProperty("reports").EnumerateArray(), r => r.GetProperty("reportId").GetGuid() == splitId);

        // Every decision went out on the bus; a split and a merge say what the campaign holds after them.
        foreach (var e in new[] { "CampaignSuspected", "CampaignConfirmed", "CampaignsMerged", "CampaignDismissed", "CampaignReportSplitOff" })
            await Eventually.Until(() => Inspect.CountAsync(host.VirtualHost, $"capture-{e}"), n => n >= 1, what: e);
        var messages = (await Inspect.AllMessagesAsync(host.VirtualHost)).Select(m => JsonDocument.Parse(m).RootElement.Clone()).ToList();
        JsonElement Message(string type) => messages.Single(m => m.GetProperty("messageType")[0].GetString() == $"urn:message:Takedowns.Contracts.Analysis:{type}"
                                                                 && m.GetProperty("message").GetProperty("campaignId").GetGuid() == firstId).GetProperty("message");
        var splitOff = Message("CampaignReportSplitOff");
        Assert.Equal(splitId, splitOff.GetProperty("reportId").GetGuid());
        Assert.Equal(7, splitOff.GetProperty("reportIds").GetArrayLength());
        Assert.Equal(1, splitOff.GetProperty("platforms").GetArrayLength());
        var mergedMessage = Message("CampaignsMerged");
        Assert.Equal(13, mergedMessage.GetProperty("reportIds").GetArrayLength());
        Assert.Equal(2, mergedMessage.GetProperty("platforms").GetArrayLength());
        Assert.True(mergedMessage.GetProperty("revision").GetInt64() > splitOff.GetProperty("revision").GetInt64());
    }

    [Theory]
    [InlineData("dismiss", "{}", "reason")]
    [InlineData("annotate", """{"note":" "}""", "note")]
    [InlineData("merge", """{"campaignIds":[]}""", "campaignIds")]
    [InlineData("split", "{}", "reportId")]
    [InlineData("confirm", """{"colour":"red"}""", "colour")]
    public async Task bad_actions_name_the_field(string verb, string body, string field)
    {
        // Bodies are checked before the campaign is looked up: a bad one is refused even for a campaign that does not exist.
        using var response = await host.CreateAdminClient().PostAsync($"{Path}/{Guid.NewGuid()}/{verb}", new StringContent(body, Encoding.UTF8, "application/json"));
        await Problems.AssertNamesFieldAsync(response, field);
    }

    [Theory]
    [InlineData("status=open", "status")]
    [InlineData("country=Kyrgyzstan", "country")]
    [InlineData("from=2026-10-02&to=2026-10-01", "from")]
    [InlineData("cursor=zzz", "cursor")]
    public async Task bad_queries_name_the_parameter(string query, string field)
    {
        using var response = await host.CreateAdminClient().GetAsync($"{Path}?{query}");
        await Problems.AssertNamesFieldAsync(response, field);
    }

    [Fact]
    public async Task unknown_campaigns_are_not_found_and_anonymous_callers_are_refused()
    {
        using var missing = await host.CreateAdminClient().GetAsync($"{Path}/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var anonymous = await host.CreateClient().GetAsync(Path);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
