using CsCheck;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Campaigns;
using Takedowns.Correlation.Spikes;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Access;

/// <summary>
/// Paging through spikes and campaigns gives each exactly once, at any page size, although many share the key they are
/// paged by (a spike's first day, a campaign's time raised).
/// </summary>
public sealed class PagingTests(PagingTests.UnlimitedCorrelation host) : IClassFixture<PagingTests.UnlimitedCorrelation>
{
    /// <summary>Correlation without a practical rate limit: one key reads a list a page of one at a time.</summary>
    public sealed class UnlimitedCorrelation : ServiceHost<Program>
    {
        protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
        {
            ["RateLimits:PermitsPerSecond"] = "100000",
            ["RateLimits:Burst"] = "100000",
        };
    }

    private Task<List<Guid>> AllPagesAsync(string path, string idName, int limit) => Pages.AllAsync(host.CreateAdminClient(), path, idName, limit);

    private async Task EachOnceAtAnySizeAsync(string path, string idName, IReadOnlyCollection<Guid> stored)
    {
        var all = await AllPagesAsync(path, idName, 500);
        Assert.Equal(stored.Order(), all.Order());
        await Gen.Int[1, 40].SampleAsync(async limit => Assert.Equal(all, await AllPagesAsync(path, idName, limit)), iter: 10, threads: 1);
    }

    [Fact]
    public async Task every_spike_comes_exactly_once_across_pages_with_many_on_one_first_day()
    {
        var now = MicrosecondClock.Instance.GetUtcNow();
        var start = new DateOnly(2026, 3, 1);
        var spikes = Enumerable.Range(0, 120).Select(i =>
        {
            var day = start.AddDays(i % 4);
            var slice = new Slice("TJ", (Takedowns.Contracts.Platform)(i % 5));
            return new Spike(Guid.NewGuid(), slice, "TJ", day, day.AddDays(2), 9, 1.5, 1e-7, "tail test over 3 days", [], day, false, false, now, now);
        }).ToList();
        await using (var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Store(spikes.ToArray());
            await session.SaveChangesAsync();
        }
        await EachOnceAtAnySizeAsync("/api/analysis/spikes?country=TJ", "spikeId", spikes.Select(s => s.Id).ToList());
    }

    [Fact]
    public async Task every_campaign_comes_exactly_once_across_pages_with_many_raised_at_one_time()
    {
        var raised = Enumerable.Range(0, 3).Select(k => MicrosecondClock.Instance.GetUtcNow().AddMinutes(-k)).ToArray();
        var campaigns = Enumerable.Range(0, 120).Select(i => new Campaign(Guid.NewGuid(), Guid.NewGuid(), CampaignStatus.Suspected, [], ["same notice text"],
            10, 1e-9, raised[i % 3].AddDays(-2), raised[i % 3].AddDays(-1), [], null, null, raised[i % 3], raised[i % 3])).ToList();
        await using (var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Store(campaigns.ToArray());
            await session.SaveChangesAsync();
        }
        await EachOnceAtAnySizeAsync("/api/analysis/campaigns?status=suspected", "campaignId", campaigns.Select(c => c.Id).ToList());
    }
}
