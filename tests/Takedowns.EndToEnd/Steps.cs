using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>What an organisation and a reader do through the gateway, step by step.</summary>
public sealed class Steps(RunningSystem system)
{
    public sealed record Organisation(Guid OrganisationId, string ApiKey);
    public sealed record Source(Guid SourceId, string Secret);

    public async Task<Organisation> RegisterOrganisationAsync(string name)
    {
        using var response = await system.Client(RunningSystem.AdminKey).PostAsJsonAsync("/api/admin/organisations", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Organisation>())!;
    }

    public async Task<Source> AddSourceAsync(Guid organisationId)
    {
        using var response = await system.Client(RunningSystem.AdminKey)
            .PostAsJsonAsync($"/api/admin/organisations/{organisationId}/webhook-sources", new { name = "Helpdesk" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Source>())!;
    }

    public async Task<HttpResponseMessage> SendWebhookAsync(Source source, string body, string? secret = null) =>
        await system.Client().SendAsync(new WebhookSigner(secret ?? source.Secret).Request($"/webhooks/{source.SourceId}", body));

    public async Task<Guid> SubmitAsync(Organisation org, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await system.Client(org.ApiKey).SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("reportId").GetGuid();
    }

    public static readonly string[] IntakeShards = ["report-forwarder:All"];
    public static readonly string[] CorrelationShards = ["SliceDay:All", "ReportingDelays:All", "Campaign:All", "campaign-linker:All", "analysis-forwarder:All"];
    public static readonly string[] PublishingShards = ["PatternCell:All"];

    /// <summary>
    /// Waits until everything sent so far has gone everywhere it goes: Intake has forwarded every change, every queue is
    /// drained, and every projection and subscription of Correlation and Publishing has processed every event stored.
    /// Counts read after this are final, not a moment of a projection still catching up.
    /// </summary>
    public async Task SettledAsync()
    {
        await SubscriptionProgress.WaitUntilCaughtUpAsync(system.Schema("intake"), IntakeShards, TimeSpan.FromMinutes(2));
        await Queues.WaitUntilDrainedAsync(system.VirtualHost, TimeSpan.FromMinutes(2));
        await SubscriptionProgress.WaitUntilCaughtUpAsync(system.Schema("correlation"), CorrelationShards, TimeSpan.FromMinutes(2));
        await SubscriptionProgress.WaitUntilCaughtUpAsync(system.Schema("publishing"), PublishingShards, TimeSpan.FromMinutes(2));
    }

    public async Task<JsonElement> PatternRowsAsync(string query)
    {
        using var response = await system.Client().GetAsync($"/api/public/patterns?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("rows").Clone();
    }

    public async Task<int> SeriesTotalAsync(string country, string from, string to)
    {
        using var response = await system.Client(RunningSystem.AdminKey).GetAsync($"/api/analysis/series?country={country}&from={from}&to={to}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items");
        return items.EnumerateArray().Sum(i => i.GetProperty("count").GetInt32());
    }

    public static int? CountOf(JsonElement rows, string country) =>
        rows.EnumerateArray().Where(r => r.GetProperty("country").GetString() == country)
            .Select(r => r.GetProperty("count").ValueKind == JsonValueKind.Number ? r.GetProperty("count").GetInt32() : (int?)null)
            .SingleOrDefault();
}
