using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Publishing.Tests.Analysis;

public sealed class PublicAnalysisTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    /// <summary>Publishes as Correlation does (mandatory): until the consumer's queue is bound, RabbitMQ returns it, so it is sent again.</summary>
    private Task PublishAsync<T>(T message) where T : class => Delivery.UntilDeliveredAsync(host.Services.GetRequiredService<MassTransit.IBus>(), message);

    private async Task<JsonElement> GetAsync(string path) =>
        (await host.CreateClient().GetFromJsonAsync<JsonElement>(path)).GetProperty("items");

    [Fact]
    public async Task spikes_of_at_least_k_incidents_are_public_and_withdrawn_ones_leave()
    {
        var period = new CivicPeriodRef(Guid.NewGuid(), "AZ", CivicPeriodType.Election, "Synthetic election", new DateOnly(2026, 9, 1), new DateOnly(2026, 9, 3));
        var big = new SpikeDetected(Guid.NewGuid(), new Slice("AZ", Platform.Facebook), new DateOnly(2026, 9, 1), new DateOnly(2026, 9, 2), 14, 3.2, 5, 1e-5, "tail test over 3 days", [period], DateTimeOffset.UtcNow);
        var small = big with { SpikeId = Guid.NewGuid(), Observed = 3, Slice = new Slice("AZ", Platform.X) };
        await PublishAsync(big);
        await PublishAsync(big); // redelivered
        await PublishAsync(small);
        var items = await Eventually.Until(() => GetAsync("/api/public/spikes?country=AZ"), i => i.GetArrayLength() >= 1);
        var shown = Assert.Single(items.EnumerateArray());
        Assert.Equal(14, shown.GetProperty("observed").GetInt32());
        Assert.Equal("ongoing", shown.GetProperty("status").GetString());
        Assert.Equal("Synthetic election", shown.GetProperty("civicPeriods")[0].GetProperty("name").GetString());
        Assert.False(shown.TryGetProperty("spikeId", out _));

        await PublishAsync(new SpikeEnded(big.SpikeId, big.Slice, big.Start, big.End, big.Observed, big.Expected, Withdrawn: true, DateTimeOffset.UtcNow));
        await Eventually.Until(() => GetAsync("/api/public/spikes?country=AZ"), i => i.GetArrayLength() == 0, what: "the withdrawn spike to leave");
    }

    [Fact]
    public async Task a_withdrawn_spike_the_data_shows_again_returns_and_a_late_copy_of_its_withdrawal_does_not_take_it_away()
    {
        var at = DateTimeOffset.UtcNow.AddHours(-3);
        var detected = new SpikeDetected(Guid.NewGuid(), new Slice("AM", Platform.Telegram), new DateOnly(2026, 9, 1), new DateOnly(2026, 9, 3), 11, 2.1, 5, 1e-5, "tail test over 3 days", [], at);
        var withdrawn = new SpikeEnded(detected.SpikeId, detected.Slice, detected.Start, detected.End, 11, 2.1, Withdrawn: true, at.AddHours(1));
        Task<JsonElement> Shown() => GetAsync("/api/public/spikes?country=AM");
        await PublishAsync(detected);
        await Eventually.Until(Shown, i => i.GetArrayLength() == 1, what: "the spike");
        await PublishAsync(withdrawn);
        await Eventually.Until(Shown, i => i.GetArrayLength() == 0, what: "the withdrawn spike to leave");
        await PublishAsync(detected); // its first detection again: does not bring it back
        await Task.Delay(1500);
        Assert.Empty((await Shown()).EnumerateArray());

        await PublishAsync(detected with { Observed = 12, End = new DateOnly(2026, 9, 4), DetectedAt = at.AddHours(2), Reinstated = true });
        var back = await Eventually.Until(Shown, i => i.GetArrayLength() == 1 && i[0].GetProperty("observed").GetInt32() == 12, what: "the reinstated spike");
        Assert.Equal("ongoing", back[0].GetProperty("status").GetString());
        await PublishAsync(withdrawn); // the earlier withdrawal again, after the reinstatement
        await Task.Delay(1500);
        Assert.Equal(12, Assert.Single((await Shown()).EnumerateArray()).GetProperty("observed").GetInt32());

        await PublishAsync(withdrawn with { Observed = 12, End = new DateOnly(2026, 9, 4), Withdrawn = false, EndedAt = at.AddHours(3) });
        await Eventually.Until(Shown, i => i.GetArrayLength() == 1 && i[0].GetProperty("status").GetString() != "ongoing", what: "the spike to end");
    }

    [Fact]
    public async Task only_confirmed_campaigns_are_public_and_never_name_a_report()
    {
        var reports = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToList();
        var suspected = new CampaignSuspected(Guid.NewGuid(), reports, 11.2, 0.001, ["near-identical notice text", "same claimant"], ["GE"], [Platform.YouTube],
            DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);
        await PublishAsync(suspected);
        await Task.Delay(1500);
        Assert.Empty((await GetAsync("/api/public/campaigns")).EnumerateArray());

        await PublishAsync(new CampaignConfirmed(suspected.CampaignId, reports, "checked", DateTimeOffset.UtcNow));
        var items = await Eventually.Until(() => GetAsync("/api/public/campaigns"), i => i.GetArrayLength() == 1, what: "the confirmed campaign");
        var campaign = items[0];
        Assert.Equal(6, campaign.GetProperty("reportCount").GetInt32());
        Assert.Equal("GE", campaign.GetProperty("countries")[0].GetString());
        string raw = campaign.GetRawText();
        Assert.All(reports, r => Assert.DoesNotContain(r.ToString(), raw));
        Assert.DoesNotContain(suspected.CampaignId.ToString(), raw);

        await PublishAsync(new CampaignDismissed(suspected.CampaignId, "legitimate", DateTimeOffset.UtcNow));
        await Eventually.Until(() => GetAsync("/api/public/campaigns"), i => i.GetArrayLength() == 0, what: "the dismissed campaign to leave");
    }
}
