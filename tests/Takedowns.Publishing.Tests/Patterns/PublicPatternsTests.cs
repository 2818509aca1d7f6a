using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Takedowns.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Testing;

namespace Takedowns.Publishing.Tests.Patterns;

public sealed class PublicPatternsTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private async Task<JsonElement> RowsAsync(string query)
    {
        using var response = await host.CreateClient().GetAsync($"/api/public/patterns?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("rows").Clone();
    }

    [Fact]
    public async Task anyone_reads_counts_by_occurred_date_with_small_cells_suppressed()
    {
        var week = new DateOnly(2025, 3, 10); // a Monday, a week no other test uses
        var reports = Enumerable.Range(0, 6).Select(i => Submissions.Report("AM", Platform.YouTube, GroundCategory.IntellectualProperty, week.AddDays(i % 3)))
            .Append(Submissions.Report("GE", Platform.Facebook, GroundCategory.CommunityStandards, week))
            .Append(Submissions.Report("GE", Platform.Facebook, GroundCategory.CommunityStandards, week.AddDays(1)))
            // Not consented for public statistics: never counted.
            .Append(Submissions.Report("AM", Platform.YouTube, GroundCategory.IntellectualProperty, week, publicStatistics: false))
            .ToList();
        // The first report arrives twice, as at-least-once delivery allows.
        Guid duplicateId = Guid.NewGuid();
        await Submissions.PublishAsync(host.Services, reports[0], duplicateId);
        await Submissions.PublishAsync(host.Services, reports[0], duplicateId);
        foreach (var r in reports.Skip(1)) await Submissions.PublishAsync(host.Services, r);
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);

        // Without grouping: one total for the week, and only the period, count and suppressed fields.
        var total = await Eventually.Until(() => RowsAsync("grain=week&from=2025-03-10&to=2025-03-16"),
            r => r.GetArrayLength() == 1 && r[0].GetProperty("count").ValueKind == JsonValueKind.Number && r[0].GetProperty("count").GetInt32() == 8);
        Assert.Equal(["count", "period", "suppressed"], total[0].EnumerateObject().Select(p => p.Name).Order().ToArray());

        // GE's 2 is below k, and AM's 6 beside the total of 8 would give it away: both are suppressed.
        var rows = await RowsAsync("groupBy=country,platform,category&grain=week&from=2025-03-10&to=2025-03-16");
        Assert.Equal(2, rows.GetArrayLength());
        Assert.Equal("2025-03-10", rows[0].GetProperty("period").GetString());
        Assert.Equal("AM", rows[0].GetProperty("country").GetString());
        Assert.Equal("youtube", rows[0].GetProperty("platform").GetString());
        Assert.Equal("intellectual_property", rows[0].GetProperty("category").GetString());
        Assert.Equal("GE", rows[1].GetProperty("country").GetString());
        Assert.All(rows.EnumerateArray(), r =>
        {
            Assert.Equal(JsonValueKind.Null, r.GetProperty("count").ValueKind);
            Assert.True(r.GetProperty("suppressed").GetBoolean());
        });

        // By day, every AM cell holds two reports: all suppressed.
        var days = await RowsAsync("groupBy=country&grain=day&from=2025-03-10&to=2025-03-16");
        Assert.All(days.EnumerateArray(), r => Assert.True(r.GetProperty("suppressed").GetBoolean()));

        var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/public/patterns?groupBy=country&grain=week&from=2025-03-10&to=2025-03-16");
        csvRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var csv = await host.CreateClient().SendAsync(csvRequest);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("period,country,count,suppressed\r\n2025-03-10,AM,,true\r\n2025-03-10,GE,,true\r\n", await csv.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("groupBy=handle", "groupBy")]
    [InlineData("groupBy=country,organisation", "groupBy")]
    [InlineData("grain=year", "grain")]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("to=yesterday", "to")]
    [InlineData("from=2026-02-01&to=2026-01-01", "from")]
    public async Task bad_queries_name_the_parameter(string query, string field)
    {
        using var response = await host.CreateClient().GetAsync($"/api/public/patterns?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task a_retracted_report_leaves_the_public_count()
    {
        var day = new DateOnly(2025, 7, 7);
        var reports = Enumerable.Range(0, 5).Select(_ => Submissions.Report("MD", Platform.Telegram, GroundCategory.Spam, day)).ToList();
        foreach (var r in reports) await Submissions.PublishAsync(host.Services, r);
        const string query = "groupBy=country&grain=day&from=2025-07-07&to=2025-07-07";
        var rows = await Eventually.Until(() => RowsAsync(query), r => r.GetArrayLength() == 1 && r[0].GetProperty("count").ValueKind == JsonValueKind.Number);
        Assert.Equal(5, rows[0].GetProperty("count").GetInt32());

        var retracted = reports[0];
        await host.Services.GetRequiredService<MassTransit.IBus>().Publish(
            new Takedowns.Contracts.Reports.ReportWithdrawn(retracted.ReportId, retracted.OrganisationId, null, DateTimeOffset.UtcNow));
        rows = await Eventually.Until(() => RowsAsync(query), r => r[0].GetProperty("suppressed").GetBoolean(), what: "the cell to lose the retracted report");
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("count").ValueKind);
    }
}
