using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Campaigns;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>What campaign detection keeps in memory between pages, in the service on the real PostgreSQL and broker.</summary>
public sealed class RecentStateTests(AnalysisHost host) : IClassFixture<AnalysisHost>
{
    private long _events; // stored when detection last caught up

    private static readonly DateTimeOffset Start = new(2026, 9, 14, 9, 0, 0, TimeSpan.Zero);

    private static string Words(Random random, int n) =>
        string.Join(' ', Enumerable.Range(0, n).Select(_ => new string(Enumerable.Range(0, random.Next(3, 9)).Select(_ => (char)('a' + random.Next(26))).ToArray())));

    private static ReportSubmitted Report(DateTimeOffset at, string claimant, string text) =>
        Submissions.Report(country: "KG", platform: Platform.YouTube, category: GroundCategory.IntellectualProperty, occurredOn: DateOnly.FromDateTime(at.UtcDateTime)) with
        {
            OccurredAt = at,
            ExternalId = "ext-" + Guid.NewGuid().ToString("N")[..10],
            Notice = new ReportNotice("Copyright", claimant, text, "kalomir-archive.example"),
            Imported = true,
        };

    /// <summary>Publishes reports and waits until campaign detection has processed every event they made.</summary>
    private async Task PublishAndWaitAsync(IEnumerable<ReportSubmitted> reports)
    {
        var bus = host.Services.GetRequiredService<IBus>();
        var list = reports.ToList();
        foreach (var chunk in list.Chunk(ReportChanges.MaxChanges))
            await bus.PublishIntegrationEvent(new ReportChanges(chunk.Select(r => new ReportChange(Guid.NewGuid(), Submitted: r)).ToList()), Guid.NewGuid(), CancellationToken.None);
        string shard = $"{CampaignLinker.SubscriptionName}:All";
        var progress = await Eventually.Until(() => SubscriptionProgress.ReadAsync(host.Schema, [shard]),
            p => p.LastEvent >= _events + 2 * list.Count && p.Shards.Single(s => s.Name == shard).LastSeqId >= p.LastEvent,
            what: "campaign detection to process the reports");
        _events = progress.LastEvent;
    }

    [Fact]
    public async Task pages_after_the_first_take_earlier_pages_keys_and_profiles_from_memory_and_find_a_campaign_across_them()
    {
        var linker = host.Services.GetRequiredService<CampaignLinker>();
        var random = new Random(11);
        await PublishAndWaitAsync(Enumerable.Range(0, 80).Select(i => Report(Start.AddDays(-40 + i / 2.0).AddMinutes(random.Next(600)), $"Claimant {Words(random, 1)}", Words(random, 40))));
        int loaded = linker.Recent.Reloads;

        // A campaign's copies arrive in three deliveries, each processed as a page of its own once the last is committed.
        string text = "We are the exclusive owner of the documentary shown in this upload. " + Words(new Random(1), 40);
        var copies = Enumerable.Range(0, 9).Select(i => Report(Start.AddMinutes(9 * i), "Kalomir Media Group", text)).ToList();
        foreach (var part in copies.Chunk(3)) await PublishAndWaitAsync(part);

        var items = await Eventually.Until(async () =>
            {
                using var response = await host.CreateAdminClient().GetAsync("/api/analysis/campaigns?status=suspected");
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").Clone();
            }, i => i.GetArrayLength() == 1 && i[0].GetProperty("reportCount").GetInt32() == copies.Count, what: "one campaign of every copy");
        Assert.Equal(copies.Count, items[0].GetProperty("reportCount").GetInt32());
        // The copy was loaded once, when detection first ran, and matched the tables at every page since.
        Assert.Equal(1, loaded);
        Assert.True(linker.Recent.Reloads == 1, string.Join('\n', host.Logs.Text.Split('\n').Where(l => l.Contains("campaign-linker", StringComparison.Ordinal) || l.Contains("Campaigns.CampaignLinker", StringComparison.Ordinal))));
        Assert.True(linker.Recent.Probes.Memory > 0 && linker.Recent.ProfilesRead.Memory > 0, $"lookups {linker.Recent.Probes}, profiles {linker.Recent.ProfilesRead}");
    }
}
