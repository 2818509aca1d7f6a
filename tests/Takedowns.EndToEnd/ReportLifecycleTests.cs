using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>The organisation's own tools, through the gateway: import, amend, erase, list.</summary>
[Collection(SystemCollection.Name)]
public sealed class ReportLifecycleTests(RunningSystem system)
{
    private readonly Steps _steps = new(system);

    [Fact]
    public async Task an_import_then_an_amendment_then_an_erasure_all_go_through_the_gateway()
    {
        var org = await _steps.RegisterOrganisationAsync("Archive keeper");
        var client = system.Client(org.ApiKey);
        const string csv = "externalId,platform,accountHandle,subjectType,country,action,groundCategory,occurredAt,reporterEmail\r\n" +
                           "old-1,facebook,@archive_one,cso,AM,content_removed,community_standards,2018-05-01,keeper@example.org\r\n" +
                           "old-2,facebook,@archive_two,cso,Armenia,content_removed,community_standards,2018-05-02,\r\n";
        using var started = await client.PostAsync("/api/reports/imports", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Guid importId = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("importId").GetGuid();
        var progress = await Eventually.Until(async () =>
                JsonDocument.Parse(await client.GetStringAsync($"/api/reports/imports/{importId}")).RootElement.Clone(),
            p => p.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(60));
        Assert.Equal(1, progress.GetProperty("accepted").GetInt64());
        Assert.Equal(3, progress.GetProperty("errors")[0].GetProperty("line").GetInt64());

        var list = JsonDocument.Parse(await client.GetStringAsync("/api/reports?country=AM")).RootElement;
        Guid reportId = list.GetProperty("items")[0].GetProperty("reportId").GetGuid();

        using (var amended = await client.PatchAsync($"/api/reports/{reportId}",
                   new StringContent("""{"ground":{"policy":"Dangerous organisations"}}""", Encoding.UTF8, "application/merge-patch+json")))
            Assert.Equal(HttpStatusCode.OK, amended.StatusCode);
        using (var appeal = await client.PostAsJsonAsync($"/api/reports/{reportId}/appeal", new { filedOn = "2018-05-03" }))
            Assert.Equal(HttpStatusCode.OK, appeal.StatusCode);
        using (var erased = await client.DeleteAsync($"/api/reports/{reportId}/reporter-data"))
            Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);

        var report = JsonDocument.Parse(await client.GetStringAsync($"/api/reports/{reportId}")).RootElement;
        Assert.Equal("appeal_filed", report.GetProperty("status").GetString());
        Assert.Equal("Dangerous organisations", report.GetProperty("ground").GetProperty("policy").GetString());
        Assert.True(report.GetProperty("reporterDataErased").GetBoolean());
        var history = JsonDocument.Parse(await client.GetStringAsync($"/api/reports/{reportId}/history")).RootElement;
        Assert.Equal(["takedown_reported", "report_amended", "appeal_filed", "reporter_data_erased"],
            history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToArray());
    }
}
