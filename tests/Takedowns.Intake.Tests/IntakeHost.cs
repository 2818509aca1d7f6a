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

    public Task<long> StoredEventCountAsync() => Database.ScalarAsync($"select count(*) from \"{Schema}\".mt_events");

    public static async Task<Guid> ReportIdOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("reportId").GetGuid();
    }
}
