using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Series;
using Takedowns.Correlation.Spikes;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Spikes;

/// <summary>A Correlation host whose scanner runs only when a test asks it to.</summary>
public sealed class ScanOnDemandHost : ServiceHost<Program>
{
    public const string SpikesDetected = "capture-spike-detected";

    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Detection:ScanInterval"] = "01:00:00",
    };

    /// <summary>Queues that stand in for the services consuming analysis events (publishing is mandatory).</summary>
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Inspect.BindCaptureQueueAsync(VirtualHost, "Takedowns.Contracts.Analysis:SpikeDetected", SpikesDetected);
        await Inspect.BindCaptureQueueAsync(VirtualHost, "Takedowns.Contracts.Analysis:SpikeEnded", "capture-spike-ended");
    }
}

public sealed class SpikeScanTests(ScanOnDemandHost host) : IClassFixture<ScanOnDemandHost>
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static ReportSubmitted Report(string country, DateOnly day, Platform platform = Platform.Telegram) => SpikeTestHost.Imported(country, day, platform);

    private Task<int> SeriesTotalAsync(string country) => host.SeriesTotalAsync(country, Today.AddDays(-120), Today);

    [Fact]
    public async Task the_scanner_knows_whether_counts_or_civic_periods_changed_since_it_last_scanned()
    {
        var scanner = host.Services.GetRequiredService<SpikeScanner>();
        // (Something counted first: on a store without events the projections report no progress to settle on.)
        await host.PublishAsync([Report("LV", Today.AddDays(-4))]);
        await Eventually.Until(() => SeriesTotalAsync("LV"), total => total == 1, what: "the first report to be counted");
        await host.SettledAsync();
        await scanner.ScanAsync(CancellationToken.None);
        Assert.False(await scanner.ChangedSinceScannedAsync(CancellationToken.None));

        await host.PublishAsync([Report("LV", Today.AddDays(-3))]);
        await Eventually.Until(() => SeriesTotalAsync("LV"), total => total == 2, what: "the second report to be counted");
        await host.SettledAsync();
        Assert.True(await scanner.ChangedSinceScannedAsync(CancellationToken.None));
        await scanner.ScanAsync(CancellationToken.None);
        Assert.False(await scanner.ChangedSinceScannedAsync(CancellationToken.None));

        using var created = await host.CreateAdminClient().PostAsJsonAsync("/api/analysis/civic-periods",
            new { country = "LV", type = "election", name = "Synthetic election", start = Today.AddDays(-10).ToString("yyyy-MM-dd"), end = Today.AddDays(-8).ToString("yyyy-MM-dd") });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(await scanner.ChangedSinceScannedAsync(CancellationToken.None));
        await scanner.ScanAsync(CancellationToken.None);
        Assert.False(await scanner.ChangedSinceScannedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task a_spike_that_retractions_take_away_is_withdrawn()
    {
        var reports = new List<ReportSubmitted>();
        for (int d = 60; d >= 2; d--) reports.Add(Report("MD", Today.AddDays(-d), Platform.VK));
        var burst = Enumerable.Range(0, 12).Select(_ => Report("MD", Today.AddDays(-1), Platform.VK)).ToList();
        await host.PublishAsync([.. reports, .. burst]);
        await Eventually.Until(() => SeriesTotalAsync("MD"), total => total == reports.Count + burst.Count);
        await host.SettledAsync();
        var scanner = host.Services.GetRequiredService<SpikeScanner>();
        Assert.True((await scanner.ScanAsync(CancellationToken.None)).Raised >= 1);

        await host.WithdrawAsync(burst);
        await Eventually.Until(() => SeriesTotalAsync("MD"), total => total == reports.Count, what: "the retractions to leave the series");
        await host.SettledAsync();

        var result = await scanner.ScanAsync(CancellationToken.None);
        Assert.True(result.Closed >= 1, $"{result}: {(await host.SpikesAsync("country=MD&includeWithdrawn=true")).GetRawText()}");
        var left = await host.SpikesAsync("country=MD");
        Assert.True(left.GetProperty("items").GetArrayLength() == 0, left.GetRawText());
        var withdrawn = (await host.SpikesAsync("country=MD&includeWithdrawn=true")).GetProperty("items");
        Assert.All(withdrawn.EnumerateArray(), s => Assert.Equal("withdrawn", s.GetProperty("status").GetString()));
        Assert.NotEmpty(withdrawn.EnumerateArray());

        // The reports come back (sent again as new reports): the same spike stands again, and the services that consume
        // analysis events are told it is reinstated.
        var again = Enumerable.Range(0, 12).Select(_ => Report("MD", Today.AddDays(-1), Platform.VK)).ToList();
        await host.PublishAsync(again);
        await Eventually.Until(() => SeriesTotalAsync("MD"), total => total == reports.Count + again.Count, what: "the reports sent again to be counted");
        await host.SettledAsync();
        Assert.True((await scanner.ScanAsync(CancellationToken.None)).Raised >= 1);
        var back = (await host.SpikesAsync("country=MD")).GetProperty("items");
        Assert.NotEmpty(back.EnumerateArray());
        var ids = withdrawn.EnumerateArray().Select(s => s.GetProperty("spikeId").GetGuid()).ToHashSet();
        Assert.Contains(back.EnumerateArray(), s => ids.Contains(s.GetProperty("spikeId").GetGuid()) && s.GetProperty("status").GetString() != "withdrawn");
        await Eventually.Until(async () => (await Inspect.AllMessagesAsync(host.VirtualHost)).Select(m => JsonDocument.Parse(m).RootElement.GetProperty("message"))
                .Count(m => m.TryGetProperty("reinstated", out var r) && r.GetBoolean() && ids.Contains(m.GetProperty("spikeId").GetGuid())),
            n => n >= 1, what: "a reinstated spike's detection on the bus");
    }

    [Theory]
    [InlineData("country=Mongolia", "country")]
    [InlineData("platform=myspace", "platform")]
    [InlineData("subjectType=robot", "subjectType")]
    [InlineData("from=2026-10-02&to=2026-10-01", "from")]
    [InlineData("limit=0", "limit")]
    [InlineData("cursor=nonsense", "cursor")]
    [InlineData("includeWithdrawn=maybe", "includeWithdrawn")]
    public async Task bad_queries_name_the_parameter(string query, string field)
    {
        using var response = await host.CreateAdminClient().GetAsync($"/api/analysis/spikes?{query}");
        await Problems.AssertNamesFieldAsync(response, field);
    }
}

/// <summary>
/// A burst found, published and found again after the series are rebuilt from the events. A host of its own: the
/// rebuild runs a second daemon over the host's projection, which must not hold up another test's series.
/// </summary>
public sealed class SpikeRebuildTests(ScanOnDemandHost host) : IClassFixture<ScanOnDemandHost>
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static ReportSubmitted Report(string country, DateOnly day, Platform platform = Platform.Telegram) => SpikeTestHost.Imported(country, day, platform);

    private Task<int> SeriesTotalAsync(string country) => host.SeriesTotalAsync(country, Today.AddDays(-120), Today);

    [Fact]
    public async Task a_burst_is_raised_once_with_its_civic_period_published_and_found_again_after_a_rebuild()
    {
        using var period = await host.CreateAdminClient().PostAsJsonAsync("/api/analysis/civic-periods", new
        {
            country = "MN", type = "election", name = "Synthetic parliamentary election",
            start = Today.AddDays(-3).ToString("yyyy-MM-dd"), end = Today.AddDays(5).ToString("yyyy-MM-dd"),
        });
        Assert.Equal(HttpStatusCode.Created, period.StatusCode);
        Guid periodId = (await period.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("periodId").GetGuid();

        // Ten weeks of one or two takedowns a day, then a burst of ten a day for three days.
        var reports = new List<ReportSubmitted>();
        for (int d = 70; d >= 3; d--) reports.AddRange(Enumerable.Range(0, 1 + d % 2).Select(_ => Report("MN", Today.AddDays(-d))));
        for (int d = 2; d >= 0; d--) reports.AddRange(Enumerable.Range(0, 10).Select(_ => Report("MN", Today.AddDays(-d))));
        await host.PublishAsync(reports);
        await Eventually.Until(() => SeriesTotalAsync("MN"), total => total == reports.Count, what: "the series to hold every report");
        await host.SettledAsync();

        var scanner = host.Services.GetRequiredService<SpikeScanner>();
        var first = await scanner.ScanAsync(CancellationToken.None);
        Assert.True(first.Raised >= 1, $"raised {first.Raised}");

        var items = (await host.SpikesAsync("country=MN")).GetProperty("items");
        var spike = items.EnumerateArray().First();
        Assert.Equal("MN", spike.GetProperty("slice").GetProperty("country").GetString());
        Assert.True(spike.GetProperty("observed").GetInt32() >= 10);
        Assert.True(spike.GetProperty("expected").GetDouble() < spike.GetProperty("observed").GetInt32() / 3.0);
        Assert.True(spike.GetProperty("pValue").GetDouble() < 0.01);
        Assert.Equal("open", spike.GetProperty("status").GetString());
        Assert.Contains(spike.GetProperty("civicPeriods").EnumerateArray(), p => p.GetProperty("periodId").GetGuid() == periodId);
        Assert.True(DateOnly.Parse(spike.GetProperty("start").GetString()!) >= Today.AddDays(-2), items.ToString());

        // The same data again: nothing to do.
        var again = await scanner.ScanAsync(CancellationToken.None);
        Assert.Equal((0, 0, 0), (again.Raised, again.Revised, again.Closed));

        // Rebuilt from the event history, the series give the same spikes.
        var store = host.Services.GetRequiredService<IDocumentStore>();
        using (var daemon = await store.BuildProjectionDaemonAsync())
            await daemon.RebuildProjectionAsync<SliceDayProjection>(CancellationToken.None);
        var rebuilt = await scanner.ScanAsync(CancellationToken.None);
        Assert.Equal((0, 0, 0), (rebuilt.Raised, rebuilt.Revised, rebuilt.Closed));
        Assert.Equal(items.ToString(), (await host.SpikesAsync("country=MN")).GetProperty("items").ToString());

        await Eventually.Until(() => Inspect.CountAsync(host.VirtualHost, ScanOnDemandHost.SpikesDetected), n => n >= first.Raised, what: "SpikeDetected on the bus");
        var published = await Inspect.AllMessagesAsync(host.VirtualHost);
        Assert.Contains(published, body => body.Contains(spike.GetProperty("spikeId").GetString()!, StringComparison.Ordinal) && body.Contains("SpikeDetected"));
    }
}
