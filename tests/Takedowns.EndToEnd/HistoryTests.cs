using System.Net;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

[Collection(SystemCollection.Name)]
public sealed class HistoryTests(RunningSystem system)
{
    private readonly Steps _steps = new(system);

    [Fact]
    public async Task an_imported_history_older_than_the_recent_scan_shows_its_spike_through_the_api()
    {
        // Months of ordinary takedowns in a country no other test of the running system reports in, that ended 200 days ago, with a three-day peak 300 days ago, imported today.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var peak = today.AddDays(-300);
        var csv = new StringBuilder("externalId,platform,accountHandle,subjectType,country,action,groundCategory,occurredAt\n");
        int row = 0;
        for (int d = 420; d >= 200; d--)
        {
            var day = today.AddDays(-d);
            int count = day >= peak && day < peak.AddDays(3) ? 12 : 1 + d % 2;
            for (int i = 0; i < count; i++, row++)
                csv.Append($"hist-{row},vk,@history_{row},journalist,TJ,account_suspended,legal_request,{day:yyyy-MM-dd}\n");
        }
        var org = await _steps.RegisterOrganisationAsync("Organisation importing its archive");
        using var import = await system.Client(org.ApiKey).PostAsync("/api/reports/imports", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Accepted, import.StatusCode);
        string importId = JsonDocument.Parse(await import.Content.ReadAsStringAsync()).RootElement.GetProperty("importId").GetString()!;
        await Eventually.Until(async () =>
        {
            using var status = await system.Client(org.ApiKey).GetAsync($"/api/reports/imports/{importId}");
            return JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString();
        }, s => s == "completed", TimeSpan.FromSeconds(120), "the import to complete");

        // The scanner runs every minute and rescans the days that changed, however old.
        var spikes = await Eventually.Until(async () =>
        {
            using var response = await system.Client(RunningSystem.AdminKey)
                .GetAsync($"/api/analysis/spikes?country=TJ&from={peak.AddDays(-5):yyyy-MM-dd}&to={peak.AddDays(5):yyyy-MM-dd}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").Clone();
        }, items => items.GetArrayLength() > 0, TimeSpan.FromSeconds(240), "the historic peak's spike");
        var spike = spikes.EnumerateArray().First();
        Assert.InRange(DateOnly.Parse(spike.GetProperty("start").GetString()!), peak, peak.AddDays(2));
        Assert.Equal("afterwards", spike.GetProperty("found").GetString());
        Assert.True(spike.GetProperty("observed").GetInt32() >= 12, spike.ToString());
    }
}
