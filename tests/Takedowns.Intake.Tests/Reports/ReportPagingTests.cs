using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

/// <summary>
/// Paging through an organisation's reports gives every report exactly once, at any page size, although reports
/// committed together share their time to the tick.
/// </summary>
public sealed class ReportPagingTests(ReportPagingTests.UnlimitedIntake host) : IClassFixture<ReportPagingTests.UnlimitedIntake>
{
    /// <summary>Intake without a practical rate limit: one key sends hundreds of reports at once and pages one at a time.</summary>
    public sealed class UnlimitedIntake : IntakeHost
    {
        protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
        {
            ["RateLimits:PermitsPerSecond"] = "100000",
            ["RateLimits:Burst"] = "100000",
        };
    }

    private static Task<List<Guid>> AllPagesAsync(HttpClient client, int limit) => Pages.AllAsync(client, "/api/reports", "reportId", limit);

    [Fact]
    public async Task every_report_comes_exactly_once_across_pages_of_any_size_with_ties()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        // Sent at once, so that the group commit stamps many with one time.
        var sent = await Task.WhenAll(Enumerable.Range(0, 240).Select(async i =>
        {
            using var response = await client.SendAsync(IntakeHost.NewReport(SampleReports.Body(handle: $"@paged_{i}")));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return await IntakeHost.ReportIdOf(response);
        }));
        var all = (await AllPagesAsync(client, 500)).ToList();
        Assert.Equal(sent.Order(), all.Order());
        long shared = await Database.ScalarAsync(
            $"select count(*) - count(distinct data->>'reportedAt') from \"{host.Schema}\".mt_doc_report where data->>'organisationId' = '{org.OrganisationId}'");
        Assert.True(shared > 0, "no two reports share their time: the test would not see ties");

        await Gen.Int[1, 60].SampleAsync(async limit =>
        {
            var paged = await AllPagesAsync(client, limit);
            Assert.Equal(all, paged); // the same order, each once
        }, iter: 12);
    }

    [Fact]
    public void the_services_clock_stamps_whole_microseconds()
    {
        var at = new DateTimeOffset(2026, 12, 7, 9, 48, 41, TimeSpan.Zero).AddTicks(1_234_567);
        Assert.Equal(at.AddTicks(-7), MicrosecondClock.Truncate(at));
        Assert.Equal(0, MicrosecondClock.Instance.GetUtcNow().Ticks % 10);
    }
}
