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
