using Microsoft.Extensions.Configuration;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Takedowns.Intake.Tests.Organisations;

public sealed class OrganisationTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    [Fact]
    public async Task the_admin_registers_an_organisation_and_gets_its_key_once()
    {
        using var response = await host.CreateAdminClient().PostAsJsonAsync("/api/admin/organisations", new { name = "Media Defence Network" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        string apiKey = json.RootElement.GetProperty("apiKey").GetString()!;
        Assert.Matches("^tdk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$", apiKey);

        // Only a hash of the secret part is kept.
        string secret = apiKey[("tdk_".Length + 32 + 1)..]; // the secret itself may contain '_'
        long plain = await Testing.Database.ScalarAsync(
            $"select count(*) from \"{host.Schema}\".mt_doc_apikey where position('{secret}' in data::text) > 0");
        Assert.Equal(0, plain);
    }

    [Fact]
    public async Task a_webhook_source_gets_a_whsec_secret_of_at_least_24_bytes()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        Assert.StartsWith("whsec_", source.Secret);
        Assert.True(Convert.FromBase64String(source.Secret["whsec_".Length..]).Length >= 24);
    }

    [Fact]
    public async Task webhook_secrets_are_stored_encrypted()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        string encoded = source.Secret["whsec_".Length..];
        Assert.Equal(1, await Testing.Database.ScalarAsync(
            $"select count(*) from \"{host.Schema}\".mt_doc_webhooksource where id = '{source.SourceId}'"));
        Assert.Equal(0, await Testing.Database.ScalarAsync(
            $"select count(*) from \"{host.Schema}\".mt_doc_webhooksource where position('{encoded}' in data::text) > 0"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("c2hvcnQ=")]
    [InlineData("not base64!")]
    public void intake_refuses_to_start_without_a_proper_secrets_key(string? key)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [Intake.Webhooks.SecretProtector.Setting] = key }).Build();
        Assert.Contains(Intake.Webhooks.SecretProtector.Setting,
            Assert.Throws<InvalidOperationException>(() => new Intake.Webhooks.SecretProtector(configuration)).Message);
    }

    [Fact]
    public async Task a_source_for_an_unknown_organisation_is_404()
    {
        using var response = await host.CreateAdminClient().PostAsJsonAsync($"/api/admin/organisations/{Guid.NewGuid()}/webhook-sources", new { name = "x" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("{}", "name")]
    [InlineData("""{"name":"   "}""", "name")]
    [InlineData("""{"name":"A","extra":true}""", "extra")]
    [InlineData("not json", "body")]
    public async Task bad_organisation_requests_name_the_field(string body, string field)
    {
        using var response = await host.CreateAdminClient().PostAsync("/api/admin/organisations",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task administration_needs_the_admin_key()
    {
        var org = await host.RegisterOrganisationAsync();
        using var anonymous = await host.CreateClient().PostAsJsonAsync("/api/admin/organisations", new { name = "x" });
        using var reporter = await host.CreateClient(org.ApiKey).PostAsJsonAsync("/api/admin/organisations", new { name = "x" });
        using var wrongAdmin = await host.CreateClient("not-the-admin-key").PostAsJsonAsync("/api/admin/organisations", new { name = "x" });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, reporter.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAdmin.StatusCode);
    }

    [Fact]
    public void every_endpoint_declares_a_policy_or_is_explicitly_anonymous() =>
        Assert.Empty(Testing.EndpointPolicies.Undeclared(host.Services));

    [Fact]
    public async Task the_openapi_document_and_health_are_public()
    {
        using var doc = await host.CreateClient().GetAsync("/swagger/v1/swagger.json");
        using var ready = await host.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, doc.StatusCode);
        Assert.Contains("/webhooks/{sourceId}", await doc.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
