using System.Net;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Series;
using Takedowns.Correlation.Spikes;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>History imported long after the fact is scanned like the present (a host of its own: another test rebuilds projections).</summary>
public sealed class SpikeHistoryTests(ScanOnDemandHost host) : IClassFixture<ScanOnDemandHost>
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static ReportSubmitted Report(string country, DateOnly day, Platform platform) =>
        Submissions.Report(country: country, platform: platform, category: GroundCategory.CommunityStandards, occurredOn: day) with { Imported = true };

    private async Task PublishAsync(IEnumerable<ReportSubmitted> reports)
    {
        var bus = host.Services.GetRequiredService<IBus>();
        foreach (var chunk in reports.Chunk(ReportChanges.MaxChanges))
            await bus.PublishIntegrationEvent(new ReportChanges(chunk.Select(r => new ReportChange(Guid.NewGuid(), Submitted: r)).ToList()), Guid.NewGuid(), CancellationToken.None);
    }

    private async Task<JsonElement> SpikesAsync(string query)
    {
        using var response = await host.CreateAdminClient().GetAsync($"/api/analysis/spikes?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private Task SettledAsync() => SpikeScanTests.SettledAsync(host);

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
        await PublishAsync(reports);
        async Task<int> HistoryTotalAsync()
        {
            using var response = await host.CreateAdminClient().GetAsync($"/api/analysis/series?country=GE&from={Today.AddDays(-420):yyyy-MM-dd}&to={Today.AddDays(-200):yyyy-MM-dd}");
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return json.GetProperty("items").EnumerateArray().Sum(i => i.GetProperty("count").GetInt32());
        }
        await Eventually.Until(HistoryTotalAsync, total => total == reports.Count, what: "the series to hold the history");
        await SettledAsync();

        var scanner = host.Services.GetRequiredService<SpikeScanner>();
        var first = await scanner.ScanAsync(CancellationToken.None);
        Assert.True(first.Raised >= 1, first.ToString());
        var spikes = (await SpikesAsync($"country=GE&from={Today.AddDays(-310):yyyy-MM-dd}&to={Today.AddDays(-290):yyyy-MM-dd}")).GetProperty("items");
        var spike = Assert.Single(spikes.EnumerateArray());
        Assert.InRange(DateOnly.Parse(spike.GetProperty("start").GetString()!), peak, peak.AddDays(2));
        Assert.Equal("afterwards", spike.GetProperty("found").GetString());
        Assert.Equal("ended", spike.GetProperty("status").GetString());

        // Nothing changed: nothing rescanned but the recent days, nothing raised.
        var again = await scanner.ScanAsync(CancellationToken.None);
        Assert.Equal((0, 0, 0), (again.Raised, again.Revised, again.Closed));

        // Retracting the peak's reports months later withdraws the spike: old days are rescanned when they change.
        var bus = host.Services.GetRequiredService<IBus>();
        var burst = reports.Where(r => r.OccurredOn >= peak && r.OccurredOn < peak.AddDays(3)).Skip(2).ToList();
        await bus.PublishIntegrationEvent(new ReportChanges(burst.Select(r => new ReportChange(Guid.NewGuid(),
            Withdrawn: new ReportWithdrawn(r.ReportId, r.OrganisationId, r.IncidentId, DateTimeOffset.UtcNow))).ToList()), Guid.NewGuid(), CancellationToken.None);
        await Eventually.Until(HistoryTotalAsync, total => total == reports.Count - burst.Count, what: "the retractions to leave the series");
        await SettledAsync();
        await Eventually.Until(async () =>
        {
            await scanner.ScanAsync(CancellationToken.None);
            return (await SpikesAsync($"country=GE&from={Today.AddDays(-310):yyyy-MM-dd}&to={Today.AddDays(-290):yyyy-MM-dd}")).GetProperty("items").GetArrayLength();
        }, n => n == 0, what: "the retracted peak's spike to be withdrawn");
    }

}
