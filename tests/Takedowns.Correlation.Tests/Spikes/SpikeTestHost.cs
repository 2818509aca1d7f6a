using System.Net;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>What the spike tests do with a <see cref="ScanOnDemandHost"/>: send reports, wait for the series, read spikes.</summary>
internal static class SpikeTestHost
{
    /// <summary>
    /// A report of a takedown on <paramref name="day"/>. Weeks of history arriving at once is a backfill: imported, so it
    /// does not teach the scanner that reports arrive weeks late (which would make it expect few incidents on recent days).
    /// </summary>
    public static ReportSubmitted Imported(string country, DateOnly day, Platform platform = Platform.Telegram) =>
        Submissions.Report(country: country, platform: platform, category: GroundCategory.CommunityStandards, occurredOn: day) with { Imported = true };

    public static async Task PublishAsync(this ScanOnDemandHost host, IEnumerable<ReportSubmitted> reports)
    {
        var bus = host.Services.GetRequiredService<IBus>();
        foreach (var chunk in reports.Chunk(ReportChanges.MaxChanges))
            await bus.PublishIntegrationEvent(new ReportChanges(chunk.Select(r => new ReportChange(Guid.NewGuid(), Submitted: r)).ToList()), Guid.NewGuid(), CancellationToken.None);
    }

    /// <summary>Retracts the reports, as their organisations would.</summary>
    public static Task WithdrawAsync(this ScanOnDemandHost host, IEnumerable<ReportSubmitted> reports) =>
        host.Services.GetRequiredService<IBus>().PublishIntegrationEvent(new ReportChanges(reports.Select(r => new ReportChange(Guid.NewGuid(),
            Withdrawn: new ReportWithdrawn(r.ReportId, r.OrganisationId, r.IncidentId, DateTimeOffset.UtcNow))).ToList()), Guid.NewGuid(), CancellationToken.None);

    /// <summary>The incidents the series API counts for a country over the days given.</summary>
    public static async Task<int> SeriesTotalAsync(this ScanOnDemandHost host, string country, DateOnly from, DateOnly to)
    {
        using var response = await host.CreateAdminClient().GetAsync($"/api/analysis/series?country={country}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return json.GetProperty("items").EnumerateArray().Sum(i => i.GetProperty("count").GetInt32());
    }

    public static async Task<JsonElement> SpikesAsync(this ScanOnDemandHost host, string query)
    {
        using var response = await host.CreateAdminClient().GetAsync($"/api/analysis/spikes?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>The series and the record of their changes are separate projections: a scan reads both.</summary>
    public static async Task SettledAsync(this ScanOnDemandHost host)
    {
        // Every delivery handled first: a report whose append met another's and is being retried appends its events later,
        // after projections that had caught up with the head as it was.
        await Eventually.Until(() => Queues.InHandAsync(host.VirtualHost), n => n == 0, what: "the service's queues to be handled");
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await Eventually.Until(async () =>
        {
            long head = (await store.Advanced.FetchEventStoreStatistics()).EventSequenceNumber;
            var shards = await store.Advanced.AllProjectionProgress();
            return shards.Where(s => s.ShardName.StartsWith(nameof(SliceDay), StringComparison.Ordinal) ||
                                     s.ShardName.StartsWith(nameof(SeriesChanges), StringComparison.Ordinal))
                .Select(s => s.Sequence).DefaultIfEmpty(-1).Min() >= head ? 1 : 0;
        }, caughtUp => caughtUp == 1, what: "the series and their changes to catch up");
    }
}
