using System.Net;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

[Collection(SystemCollection.Name)]
public sealed class IncidentTests(RunningSystem system)
{
    private readonly Steps _steps = new(system);

    [Fact]
    public async Task one_takedown_reported_by_two_organisations_counts_once()
    {
        var first = await _steps.RegisterOrganisationAsync("First network member");
        var second = await _steps.RegisterOrganisationAsync("Second network member");
        Guid shared = Guid.Empty;
        for (int i = 0; i < 5; i++)
        {
            string handle = $"@twice_reported_{i}";
            shared = await _steps.SubmitAsync(first, SampleReports.Body(country: "AZ", handle: handle, occurredAt: "2022-03-14"));
            await _steps.SubmitAsync(second, SampleReports.Body(country: "AZ", handle: handle.ToUpperInvariant(), occurredAt: "2022-03-15"));
        }

        // Publishing counts five incidents, not ten. Its public cell shows them, or is suppressed when another test of the
        // shared system put a few reports of another country in the same month; it never shows ten.
        const string query = "groupBy=country&grain=month&from=2022-03-01&to=2022-03-31";
        string publishing = system.Schema("publishing");
        string counted = $"select coalesce(sum((data->>'count')::bigint), 0) from \"{publishing}\".mt_doc_patterncell where data->>'country' = 'AZ' and data->>'day' like '2022-03-%'";
        await Eventually.Until(() => Database.ScalarAsync(counted), n => n >= 5, TimeSpan.FromSeconds(60), "the incidents counted publicly");
        await _steps.SettledAsync();
        Assert.Equal(5, await Database.ScalarAsync(counted));
        Assert.Contains(Steps.CountOf(await _steps.PatternRowsAsync(query), "AZ"), new int?[] { 5, null });
        Assert.Equal(5, await _steps.SeriesTotalAsync("AZ", "2022-03-01", "2022-03-31"));

        using var read = await system.Client(first.ApiKey).GetAsync($"/api/reports/{shared}");
        var incident = JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("incident");
        Assert.Equal(2, incident.GetProperty("reports").GetInt32());
        Assert.Equal(2, incident.GetProperty("organisations").GetInt32());
    }

    [Fact]
    public async Task a_retracted_report_leaves_the_public_pattern()
    {
        var org = await _steps.RegisterOrganisationAsync("Careful organisation");
        var ids = new List<Guid>();
        for (int i = 0; i < 5; i++)
            ids.Add(await _steps.SubmitAsync(org, SampleReports.Body(country: "GE", platform: "instagram", occurredAt: "2021-10-10")));
        const string query = "groupBy=country&grain=month&from=2021-10-01&to=2021-10-31";
        await Eventually.Until(() => _steps.PatternRowsAsync(query), r => Steps.CountOf(r, "GE") == 5, TimeSpan.FromSeconds(60));

        using var retracted = await system.Client(org.ApiKey).PostAsync($"/api/reports/{ids[0]}/retraction",
            new StringContent("""{"reason":"Entered twice"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, retracted.StatusCode);
        var rows = await Eventually.Until(() => _steps.PatternRowsAsync(query),
            r => r.EnumerateArray().Any(x => x.GetProperty("country").GetString() == "GE" && x.GetProperty("suppressed").GetBoolean()),
            TimeSpan.FromSeconds(60), "the retraction to reach the public pattern");
        Assert.Null(Steps.CountOf(rows, "GE"));
        Assert.Equal(4, await Eventually.Until(() => _steps.SeriesTotalAsync("GE", "2021-10-01", "2021-10-31"), n => n == 4,
            TimeSpan.FromSeconds(60), "the retraction to reach the analysis series"));
    }
}
