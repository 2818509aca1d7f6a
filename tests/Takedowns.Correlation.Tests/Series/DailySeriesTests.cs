using System.Net;
using System.Text.Json;
using Takedowns.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Series;

public sealed class DailySeriesTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private async Task<JsonElement> SeriesAsync(string query)
    {
        using var response = await host.CreateAdminClient().GetAsync($"/api/analysis/series?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").Clone();
    }

    private static int Total(JsonElement items) => items.EnumerateArray().Sum(i => i.GetProperty("count").GetInt32());

    [Fact]
    public async Task a_redelivered_report_is_counted_once_by_the_day_it_occurred()
    {
        var first = Submissions.Report(country: "KG", occurredOn: new DateOnly(2026, 10, 1));
        var second = Submissions.Report(country: "KG", occurredOn: new DateOnly(2026, 10, 1));
        var late = Submissions.Report(country: "KG", occurredOn: new DateOnly(2026, 8, 15)); // reported weeks later
        Guid messageId = Guid.NewGuid();

        await Submissions.PublishAsync(host.Services, first, messageId);
        await Submissions.PublishAsync(host.Services, first, messageId); // at-least-once delivery: the same message again
        await Submissions.PublishAsync(host.Services, second);
        await Submissions.PublishAsync(host.Services, late);
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);

        Assert.Equal(3, await Database.ScalarAsync(
            $"select count(*) from \"{host.Schema}\".mt_events where stream_id in ('{first.ReportId}', '{second.ReportId}', '{late.ReportId}')"));
        var items = await Eventually.Until(() => SeriesAsync("country=KG&from=2026-08-01&to=2026-10-31"), i => Total(i) >= 3);
        Assert.Equal(3, Total(items));
        var days = items.EnumerateArray().ToDictionary(i => i.GetProperty("day").GetString()!, i => i.GetProperty("count").GetInt32());
        Assert.Equal(2, days["2026-10-01"]);
        Assert.Equal(1, days["2026-08-15"]);
    }

    [Fact]
    public async Task slices_are_kept_apart_and_filterable()
    {
        await Submissions.PublishAsync(host.Services, Submissions.Report(country: "TJ", platform: Platform.Telegram, category: GroundCategory.Spam));
        await Submissions.PublishAsync(host.Services, Submissions.Report(country: "TJ", platform: Platform.Facebook, category: GroundCategory.Spam));
        await Submissions.PublishAsync(host.Services, Submissions.Report(country: "TJ", platform: Platform.Telegram, category: GroundCategory.Impersonation));

        var all = await Eventually.Until(() => SeriesAsync("country=TJ&from=2026-11-01&to=2026-11-30"), i => Total(i) >= 3);
        Assert.Equal(3, all.GetArrayLength());
        var telegram = await SeriesAsync("country=TJ&platform=telegram&from=2026-11-01&to=2026-11-30");
        Assert.Equal(2, Total(telegram));
        var telegramSpam = await SeriesAsync("country=TJ&platform=telegram&category=spam&from=2026-11-01&to=2026-11-30");
        Assert.Equal(1, Total(telegramSpam));
    }

    [Theory]
    [InlineData("", "country")]
    [InlineData("country=Kyrgyzstan", "country")]
    [InlineData("country=KG&platform=myspace", "platform")]
    [InlineData("country=KG&category=copyright", "category")]
    [InlineData("country=KG&from=01.10.2026", "from")]
    [InlineData("country=KG&from=2026-10-02&to=2026-10-01", "from")]
    public async Task bad_queries_name_the_parameter(string query, string field)
    {
        using var response = await host.CreateAdminClient().GetAsync($"/api/analysis/series?{query}");
        await Problems.AssertNamesFieldAsync(response, field);
    }

    [Fact]
    public async Task series_are_for_analysts_only()
    {
        using var anonymous = await host.CreateClient().GetAsync("/api/analysis/series?country=KG");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task an_incident_counts_once_and_leaves_the_series_when_all_its_reports_are_retracted()
    {
        var incidentId = Guid.NewGuid();
        var first = Submissions.Report(country: "MD", occurredOn: new DateOnly(2026, 6, 1)) with { IncidentId = incidentId };
        var second = Submissions.Report(country: "MD", occurredOn: new DateOnly(2026, 6, 1)) with { IncidentId = incidentId };
        await Submissions.PublishAsync(host.Services, first);
        await Submissions.PublishAsync(host.Services, second);
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);
        const string query = "country=MD&from=2026-06-01&to=2026-06-30";
        Assert.Equal(1, Total(await Eventually.Until(() => SeriesAsync(query), i => Total(i) >= 1)));

        var bus = host.Services.GetRequiredService<MassTransit.IBus>();
        await bus.Publish(new Takedowns.Contracts.Reports.ReportWithdrawn(first.ReportId, first.OrganisationId, incidentId, DateTimeOffset.UtcNow));
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);
        await SubscriptionProgress.WaitUntilCaughtUpAsync(host.Schema, Integration.ReportTimesTests.Shards); // the projection runs behind the consumer
        Assert.Equal(1, Total(await SeriesAsync(query)));

        await bus.Publish(new Takedowns.Contracts.Reports.ReportWithdrawn(second.ReportId, second.OrganisationId, incidentId, DateTimeOffset.UtcNow));
        Assert.Equal(0, Total(await Eventually.Until(() => SeriesAsync(query), i => Total(i) == 0, what: "the incident to leave the series")));
    }
}
