using System.Net;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

[Collection(SystemCollection.Name)]
public sealed class WalkthroughTests(RunningSystem system)
{
    private readonly Steps _steps = new(system);

    [Fact]
    public async Task signed_reports_become_a_public_pattern_with_small_cells_suppressed()
    {
        var org = await _steps.RegisterOrganisationAsync("Central Asia Media Watch");
        var source = await _steps.AddSourceAsync(org.OrganisationId);

        var reportIds = new List<Guid>();
        for (int i = 0; i < 6; i++)
        {
            using var response = await _steps.SendWebhookAsync(source, SampleReports.Body(country: "KZ", occurredAt: $"2024-06-0{3 + i % 3}"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            reportIds.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("reportId").GetGuid());
        }
        for (int i = 0; i < 2; i++)
        {
            using var response = await _steps.SendWebhookAsync(source, SampleReports.Body(country: "UZ", platform: "telegram", occurredAt: "2024-06-04"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        using (var forged = await _steps.SendWebhookAsync(source, SampleReports.Body(country: "UZ", occurredAt: "2024-06-04"),
                   secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        const string query = "groupBy=country&grain=week&from=2024-06-03&to=2024-06-09";
        // The week's 8: UZ's 2 is below k, and KZ's 6 beside the total would give it away, so both are suppressed.
        await Eventually.Until(() => _steps.PatternRowsAsync("grain=week&from=2024-06-03&to=2024-06-09"),
            r => r.GetArrayLength() == 1 && r[0].GetProperty("count") is { ValueKind: JsonValueKind.Number } c && c.GetInt32() == 8,
            TimeSpan.FromSeconds(60), "the public week's total");
        var rows = await _steps.PatternRowsAsync(query);
        Assert.Equal(2, rows.GetArrayLength());
        Assert.Equal("2024-06-03", rows[0].GetProperty("period").GetString());
        Assert.Null(Steps.CountOf(rows, "UZ"));
        Assert.Null(Steps.CountOf(rows, "KZ"));
        Assert.All(rows.EnumerateArray(), r => Assert.True(r.GetProperty("suppressed").GetBoolean()));
        string publicJson = rows.GetRawText();
        Assert.DoesNotContain("@channel_", publicJson);
        Assert.DoesNotContain("Example Rights Agency", publicJson);

        // The reporting organisation reads its report back through the gateway; another organisation cannot.
        var other = await _steps.RegisterOrganisationAsync("Another organisation");
        using var own = await system.Client(org.ApiKey).GetAsync($"/api/reports/{reportIds[0]}");
        using var foreign = await system.Client(other.ApiKey).GetAsync($"/api/reports/{reportIds[0]}");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);

        // Correlation keeps the same reports as daily counts.
        Assert.Equal(6, await Eventually.Until(() => _steps.SeriesTotalAsync("KZ", "2024-06-01", "2024-06-30"), n => n >= 6));
    }

    [Theory]
    [InlineData("intake", "/api/reports")]
    [InlineData("correlation", "/api/analysis/series")]
    [InlineData("publishing", "/api/public/patterns")]
    public async Task every_services_openapi_document_is_served_by_the_gateway(string service, string path)
    {
        using var response = await system.Client().GetAsync($"/openapi/{service}.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("paths").TryGetProperty(path, out _));
    }
}
