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

    [Fact]
    public async Task reports_of_a_spikes_first_days_arriving_later_move_its_first_alarm_earlier_on_the_same_spike()
    {
        // Half a year back: one or two takedowns a day, then three days of a dozen. Most of the first two days' reports
        // arrive only later (a second organisation's import), so at first the spike alarms on its second day.
        var peak = Today.AddDays(-180);
        var early = new List<ReportSubmitted>();
        var late = new List<ReportSubmitted>();
        for (int d = 300; d >= 150; d--)
        {
            var day = Today.AddDays(-d);
            int count = day >= peak && day < peak.AddDays(3) ? 12 : 1 + d % 2;
            var reports = Enumerable.Range(0, count).Select(_ => Report("AM", day, Platform.Instagram)).ToList();
            int arriveLater = day < peak.AddDays(2) && day >= peak ? count - 5 : 0;
            early.AddRange(reports.Skip(arriveLater));
            late.AddRange(reports.Take(arriveLater));
        }
        var scanner = host.Services.GetRequiredService<SpikeScanner>();
        string range = $"country=AM&from={peak.AddDays(-10):yyyy-MM-dd}&to={peak.AddDays(10):yyyy-MM-dd}";
        Task<int> TotalAsync() => host.SeriesTotalAsync("AM", Today.AddDays(-300), Today.AddDays(-150));

        await host.PublishAsync(early);
        await Eventually.Until(TotalAsync, total => total == early.Count, what: "the series to hold the first import");
        await host.SettledAsync();
        await scanner.ScanAsync(CancellationToken.None);
        var before = Assert.Single((await host.SpikesAsync(range)).GetProperty("items").EnumerateArray());
        Assert.Equal(peak, DateOnly.Parse(before.GetProperty("start").GetString()!));
        Assert.Equal(peak.AddDays(1), DateOnly.Parse(before.GetProperty("firstAlarm").GetString()!));

        await host.PublishAsync(late);
        await Eventually.Until(TotalAsync, total => total == early.Count + late.Count, what: "the series to hold the second import");
        await host.SettledAsync();
        await scanner.ScanAsync(CancellationToken.None);
        var after = Assert.Single((await host.SpikesAsync(range)).GetProperty("items").EnumerateArray());
        Assert.Equal(before.GetProperty("spikeId").GetGuid(), after.GetProperty("spikeId").GetGuid());
        Assert.Equal(peak, DateOnly.Parse(after.GetProperty("firstAlarm").GetString()!));
        Assert.InRange(after.GetProperty("observed").GetInt32(), 36, 60);
    }
}
