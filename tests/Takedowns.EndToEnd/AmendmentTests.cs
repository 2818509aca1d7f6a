using System.Net;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>An amendment moves a report to where it now belongs, in the public patterns, the analysis series and its incident.</summary>
[Collection(SystemCollection.Name)]
public sealed class AmendmentTests(RunningSystem system)
{
    private readonly Steps _steps = new(system);

    private async Task AmendAsync(string apiKey, Guid reportId, string patch)
    {
        using var amended = await system.Client(apiKey).PatchAsync($"/api/reports/{reportId}",
            new StringContent(patch, Encoding.UTF8, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, amended.StatusCode);
    }

    [Fact]
    public async Task a_report_amended_to_another_country_moves_there_in_patterns_and_series()
    {
        var org = await _steps.RegisterOrganisationAsync("Amending organisation");
        var ids = new List<Guid>();
        for (int i = 0; i < 6; i++)
            ids.Add(await _steps.SubmitAsync(org, SampleReports.Body(country: "AM", platform: "tiktok", occurredAt: "2020-05-10")));
        const string query = "groupBy=country&grain=month&from=2020-05-01&to=2020-05-31";
        await Eventually.Until(() => _steps.PatternRowsAsync(query), r => Steps.CountOf(r, "AM") == 6, TimeSpan.FromSeconds(60));

        await AmendAsync(org.ApiKey, ids[0], """{"country":"MD"}""");

        // AM's 5 beside MD's 1 would give the 1 away from the month's total of 6: both are suppressed, the total stays.
        var moved = await Eventually.Until(() => _steps.PatternRowsAsync(query), r => r.GetArrayLength() == 2, TimeSpan.FromSeconds(60),
            "the amendment to reach the public pattern");
        Assert.All(moved.EnumerateArray(), row => Assert.True(row.GetProperty("suppressed").GetBoolean()));
        Assert.Equal(6, (await _steps.PatternRowsAsync("grain=month&from=2020-05-01&to=2020-05-31"))[0].GetProperty("count").GetInt32());
        Assert.Equal(1, await Eventually.Until(() => _steps.SeriesTotalAsync("MD", "2020-05-01", "2020-05-31"), n => n == 1,
            TimeSpan.FromSeconds(60), "the amendment to reach the analysis series"));
        await _steps.SettledAsync();
        Assert.Equal(5, await _steps.SeriesTotalAsync("AM", "2020-05-01", "2020-05-31"));

        // The same amendment again changes nothing; amending it back restores the first counts.
        await AmendAsync(org.ApiKey, ids[0], """{"country":"MD"}""");
        await AmendAsync(org.ApiKey, ids[0], """{"country":"AM"}""");
        await Eventually.Until(() => _steps.PatternRowsAsync(query), r => Steps.CountOf(r, "AM") == 6, TimeSpan.FromSeconds(60));
        await _steps.SettledAsync();
        Assert.Equal(6, await _steps.SeriesTotalAsync("AM", "2020-05-01", "2020-05-31"));
        Assert.Equal(0, await _steps.SeriesTotalAsync("MD", "2020-05-01", "2020-05-31"));
    }

    [Fact]
    public async Task a_report_amended_to_the_account_another_organisation_reported_joins_that_incident()
    {
        var first = await _steps.RegisterOrganisationAsync("First reporter of the takedown");
        var second = await _steps.RegisterOrganisationAsync("Second reporter, with a typo");
        Guid original = await _steps.SubmitAsync(first, SampleReports.Body(country: "BY", handle: "@minsk_daily", occurredAt: "2019-08-09"));
        Guid typo = await _steps.SubmitAsync(second, SampleReports.Body(country: "BY", handle: "@minsk_dialy", occurredAt: "2019-08-09"));
        Assert.Equal(2, await Eventually.Until(() => _steps.SeriesTotalAsync("BY", "2019-08-01", "2019-08-31"), n => n == 2,
            TimeSpan.FromSeconds(60), "both reports to reach the analysis series"));

        await AmendAsync(second.ApiKey, typo, """{"account":{"handle":"@minsk_daily"}}""");

        Assert.Equal(1, await Eventually.Until(() => _steps.SeriesTotalAsync("BY", "2019-08-01", "2019-08-31"), n => n == 1,
            TimeSpan.FromSeconds(60), "the two reports to count as one incident"));
        using var read = await system.Client(first.ApiKey).GetAsync($"/api/reports/{original}");
        var incident = JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("incident");
        Assert.Equal(2, incident.GetProperty("organisations").GetInt32());

        // Retracting the second report leaves the incident counted by the first.
        using (var retract = await system.Client(second.ApiKey).PostAsync($"/api/reports/{typo}/retraction",
                   new StringContent("""{"reason":"Duplicate"}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, retract.StatusCode);
        await _steps.SettledAsync();
        Assert.Equal(1, await _steps.SeriesTotalAsync("BY", "2019-08-01", "2019-08-31"));
    }
}
