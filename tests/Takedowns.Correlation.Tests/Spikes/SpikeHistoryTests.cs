using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Spikes;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>History imported long after the fact is scanned like the present (a host of its own: another test rebuilds projections).</summary>
public sealed class SpikeHistoryTests(ScanOnDemandHost host) : IClassFixture<ScanOnDemandHost>
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static ReportSubmitted Report(string country, DateOnly day, Platform platform) => SpikeTestHost.Imported(country, day, platform);

    [Fact]
    public async Task history_imported_long_after_shows_its_spike_found_afterwards_and_a_rescan_touches_only_what_changed()
    {
        // A referendum's peak ten months ago, imported today: weeks of one or two takedowns a day, then a burst.
        var peak = Today.AddDays(-300);
        var reports = new List<ReportSubmitted>();
        for (int d = 420; d >= 200; d--)
        {
            var day = Today.AddDays(-d);
            int count = day >= peak && day < peak.AddDays(3) ? 12 : 1 + d % 2;
            reports.AddRange(Enumerable.Range(0, count).Select(_ => Report("GE", day, Platform.Facebook)));
        }
        await host.PublishAsync(reports);
        Task<int> HistoryTotalAsync() => host.SeriesTotalAsync("GE", Today.AddDays(-420), Today.AddDays(-200));
        await Eventually.Until(HistoryTotalAsync, total => total == reports.Count, what: "the series to hold the history");
        await host.SettledAsync();

        var scanner = host.Services.GetRequiredService<SpikeScanner>();
        // A scan while reports are still being counted in leaves the changed history for later, and does not take it as seen.
        var deferred = await scanner.ScanAsync(historic: false, CancellationToken.None);
        Assert.Equal(0, deferred.Raised);
        Assert.Empty((await host.SpikesAsync($"country=GE&from={Today.AddDays(-310):yyyy-MM-dd}&to={Today.AddDays(-290):yyyy-MM-dd}")).GetProperty("items").EnumerateArray());
        var first = await scanner.ScanAsync(CancellationToken.None);
        Assert.True(first.Raised >= 1, first.ToString());
        var spikes = (await host.SpikesAsync($"country=GE&from={Today.AddDays(-310):yyyy-MM-dd}&to={Today.AddDays(-290):yyyy-MM-dd}")).GetProperty("items");
        var spike = Assert.Single(spikes.EnumerateArray());
        Assert.InRange(DateOnly.Parse(spike.GetProperty("start").GetString()!), peak, peak.AddDays(2));
        Assert.Equal("afterwards", spike.GetProperty("found").GetString());
        Assert.Equal("ended", spike.GetProperty("status").GetString());

        // Nothing changed: nothing rescanned but the recent days, nothing raised.
        var again = await scanner.ScanAsync(CancellationToken.None);
        Assert.Equal((0, 0, 0), (again.Raised, again.Revised, again.Closed));

        // Retracting the peak's reports months later withdraws the spike: old days are rescanned when they change.
        var burst = reports.Where(r => r.OccurredOn >= peak && r.OccurredOn < peak.AddDays(3)).Skip(2).ToList();
        await host.WithdrawAsync(burst);
        await Eventually.Until(HistoryTotalAsync, total => total == reports.Count - burst.Count, what: "the retractions to leave the series");
        await host.SettledAsync();
        await Eventually.Until(async () =>
        {
            await scanner.ScanAsync(CancellationToken.None);
            return (await host.SpikesAsync($"country=GE&from={Today.AddDays(-310):yyyy-MM-dd}&to={Today.AddDays(-290):yyyy-MM-dd}")).GetProperty("items").GetArrayLength();
        }, n => n == 0, what: "the retracted peak's spike to be withdrawn");
    }

}
