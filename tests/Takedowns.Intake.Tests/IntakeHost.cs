using System.Net.Http.Json;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests;

/// <summary>Intake in-process on the real PostgreSQL and RabbitMQ, with helpers to set up organisations.</summary>
public class IntakeHost : ServiceHost<Program>
{
    public sealed record Organisation(Guid OrganisationId, string ApiKey);
    public sealed record Source(Guid SourceId, string Secret);

    public async Task<Organisation> RegisterOrganisationAsync(string name = "Test organisation")
    {
        using var response = await CreateAdminClient().PostAsJsonAsync("/api/admin/organisations", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Organisation>())!;
    }

    public async Task<Source> AddSourceAsync(Guid organisationId)
    {
        using var response = await CreateAdminClient().PostAsJsonAsync($"/api/admin/organisations/{organisationId}/webhook-sources", new { name = "Form" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Source>())!;
    }

    /// <summary>A report submission with a fresh Idempotency-Key.</summary>
    public static HttpRequestMessage NewReport(string body) => new(HttpMethod.Post, "/api/reports")
    {
        Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        Headers = { { "Idempotency-Key", Guid.NewGuid().ToString("N") } },
    };

    /// <summary>A mapping that takes the account's handle from <c>/who</c> and the day from <c>/when</c>, the rest fixed.</summary>
    public const string WhoWhenMapping = """
        {"mode":"mapped","fields":{"platform":{"value":"vk"},"account.handle":{"pointer":"/who"},"subjectType":{"value":"cso"},
         "country":{"value":"KG"},"action":{"value":"account_suspended"},"ground.category":{"value":"spam"},
         "occurredAt":{"pointer":"/when"}}}
        """;

    /// <summary>Sets a webhook source's payload mapping as the admin.</summary>
    public Task<HttpResponseMessage> PutMappingAsync(Guid organisationId, Guid sourceId, string mapping) =>
        CreateAdminClient().PutAsync($"/api/admin/organisations/{organisationId}/webhook-sources/{sourceId}/mapping",
            new StringContent(mapping, System.Text.Encoding.UTF8, "application/json"));

    public Task<long> StoredEventCountAsync() => Database.ScalarAsync($"select count(*) from \"{Schema}\".mt_events");

    public static async Task<Guid> ReportIdOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("reportId").GetGuid();
    }
}
