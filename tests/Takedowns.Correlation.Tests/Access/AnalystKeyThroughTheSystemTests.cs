using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Access;

/// <summary>
/// Every service as a process on the real broker: keys issued and revoked in Intake reach Correlation, which answers them
/// through the gateway and on its own port.
/// </summary>
public sealed class AnalystKeyThroughTheSystemTests(RunningSystem system, ITestOutputHelper output) : IClassFixture<RunningSystem>
{
    private const string Series = "/api/analysis/series?country=KZ";

    private HttpClient Direct(string key) =>
        new() { BaseAddress = system.Urls["correlation"], DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) } };

    private async Task<string> IssueAsync(Guid organisationId, params string[] roles)
    {
        using var response = await system.Client(RunningSystem.AdminKey).PostAsJsonAsync($"/api/admin/organisations/{organisationId}/api-keys", new { roles });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync(Series);
        return response.StatusCode;
    }

    [Fact]
    public async Task an_analyst_key_issued_in_intake_works_in_correlation_until_it_is_revoked()
    {
        using var registered = await system.Client(RunningSystem.AdminKey).PostAsJsonAsync("/api/admin/organisations", new { name = "Steppe Media Defence" });
        var org = await registered.Content.ReadFromJsonAsync<JsonElement>();
        Guid organisationId = org.GetProperty("organisationId").GetGuid();
        string reporter = org.GetProperty("apiKey").GetString()!;
        string analyst = await IssueAsync(organisationId, "analyst");

        foreach (var client in new[] { system.Client(analyst), Direct(analyst) })
            Assert.Equal(HttpStatusCode.OK, await Eventually.Until(() => StatusAsync(client), s => s != HttpStatusCode.Unauthorized, what: "the analyst key to arrive"));
        foreach (var client in new[] { system.Client(reporter), Direct(reporter) })
        {
            using var forbidden = await client.GetAsync(Series);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
            Assert.Equal(403, (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        }

        var keyId = Guid.ParseExact(analyst[4..36], "N");
        var clock = Stopwatch.StartNew();
        using (var revoked = await system.Client(RunningSystem.AdminKey).DeleteAsync($"/api/admin/organisations/{organisationId}/api-keys/{keyId}"))
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await Eventually.Until(() => StatusAsync(Direct(analyst)), s => s == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(15), "the revoked key to be refused");
        output.WriteLine($"A revoked key was refused by Correlation {clock.ElapsedMilliseconds} ms after its revocation was acknowledged.");
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(system.Client(analyst)));
    }
}
