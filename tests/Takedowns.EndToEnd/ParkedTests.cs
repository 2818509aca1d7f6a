using System.Net;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>The gateway gathers what every service parked under one admin route, and sends a replay or a discard to the service that has the item.</summary>
[Collection(SystemCollection.Name)]
public sealed class ParkedTests(RunningSystem system)
{
    private HttpClient Admin => system.Client(RunningSystem.AdminKey);

    private async Task<JsonElement> ListAsync()
    {
        using var response = await Admin.GetAsync("/api/admin/parked");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task every_services_parked_items_are_listed_replayed_and_discarded_through_the_gateway()
    {
        // An event each service cannot read (a platform that does not exist, a report id that is not one).
        await PoisonEvents.AppendAsync(system.Schema("intake"), "report_retracted", "Takedowns.Intake.Reports.ReportRetracted, Takedowns.Intake",
            """{"reportId":"not-an-id","retractedAt":"2026-01-01T00:00:00Z"}""");
        await PoisonEvents.AppendAsync(system.Schema("correlation"), "incident_observed", "Takedowns.Correlation.Series.IncidentObserved, Takedowns.Correlation",
            $$"""{"incidentId":"{{Guid.NewGuid()}}","firstReportId":"{{Guid.NewGuid()}}","country":"BT","platform":"no-such-platform","category":"spam","subjectType":"cso","action":"account_suspended","occurredOn":"2026-03-14"}""");
        await PoisonEvents.AppendAsync(system.Schema("publishing"), "incident_counted", "Takedowns.Publishing.Patterns.IncidentCounted, Takedowns.Publishing",
            $$"""{"incidentId":"{{Guid.NewGuid()}}","occurredOn":"2026-13-01","country":"BT","platform":"telegram","category":"spam"}""");

        var listed = await Eventually.Until(ListAsync, l => l.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("service").GetString()).Distinct().Count() == 3, TimeSpan.FromMinutes(1), "every service's parked event listed");
        Assert.Empty(listed.GetProperty("unavailable").EnumerateArray());
        var items = listed.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, i => i.GetProperty("service").GetString() == "intake" && i.GetProperty("source").GetString() == "report-forwarder");
        Assert.Contains(items, i => i.GetProperty("service").GetString() == "publishing" && i.GetProperty("source").GetString()!.Contains("PatternCell"));

        // Readiness through the gateway says something is degraded, and which service.
        var ready = await Eventually.Until(async () =>
        {
            using var response = await system.Client().GetAsync("/health/ready");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }, r => r.Body.Contains("\"Degraded\"") && r.Body.Contains("intake"), TimeSpan.FromSeconds(30), "the gateway's readiness degraded, naming intake");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("intake", ready.Body);

        // Only the admin; a replay reaches the service that has the item; an unknown id is 404.
        using (var anonymous = await system.Client().GetAsync("/api/admin/parked")) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var intake = items.First(i => i.GetProperty("service").GetString() == "intake");
        using (var replay = await Admin.PostAsync($"/api/admin/parked/{intake.GetProperty("id").GetGuid()}/replay", null))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            var outcome = JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("failed", outcome.GetProperty("outcome").GetString()); // it still cannot be read
            Assert.Contains("cannot be read", outcome.GetProperty("reason").GetString());
        }
        using (var unknown = await Admin.PostAsync($"/api/admin/parked/{Guid.NewGuid()}/replay", null))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // Discarded one by one, through the gateway, until nothing is parked anywhere.
        foreach (var item in items)
            using (var discarded = await Admin.DeleteAsync($"/api/admin/parked/{item.GetProperty("id").GetGuid()}"))
                Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
        Assert.Empty((await ListAsync()).GetProperty("items").EnumerateArray());
        using var all = await Admin.PostAsync("/api/admin/parked/replay", null);
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Empty(JsonDocument.Parse(await all.Content.ReadAsStringAsync()).RootElement.GetProperty("results").EnumerateArray());
    }
}
