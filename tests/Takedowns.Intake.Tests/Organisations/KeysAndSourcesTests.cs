using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Organisations;

public sealed class KeysAndSourcesTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    private async Task<HttpStatusCode> ReadAnyReportAs(string key)
    {
        using var response = await host.CreateClient(key).GetAsync($"/api/reports/{Guid.NewGuid()}");
        return response.StatusCode; // 404 when the key is accepted, 401 when it is not
    }

    [Fact]
    public async Task keys_carry_roles_are_listed_without_secrets_and_can_be_revoked()
    {
        var org = await host.RegisterOrganisationAsync();
        var admin = host.CreateAdminClient();
        using var issued = await admin.PostAsJsonAsync($"/api/admin/organisations/{org.OrganisationId}/api-keys", new { roles = new[] { "analyst", "reporter" } });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var key = await Json(issued);
        string apiKey = key.GetProperty("apiKey").GetString()!;
        Guid keyId = key.GetProperty("keyId").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, await ReadAnyReportAs(apiKey));

        using var list = await admin.GetAsync($"/api/admin/organisations/{org.OrganisationId}/api-keys");
        string listed = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(apiKey, listed);
        Assert.DoesNotContain(org.ApiKey, listed);
        var entry = (await Json(list)).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("keyId").GetGuid() == keyId);
        Assert.Equal($"tdk_{keyId:N}", entry.GetProperty("prefix").GetString());
        Assert.Equal(["analyst", "reporter"], entry.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).Order().ToArray());
        Assert.NotEqual(JsonValueKind.Null, entry.GetProperty("lastUsedAt").ValueKind);

        using (var revoked = await admin.DeleteAsync($"/api/admin/organisations/{org.OrganisationId}/api-keys/{keyId}"))
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAnyReportAs(apiKey));
    }

    [Fact]
    public async Task an_analyst_only_key_cannot_act_as_a_reporter()
    {
        var org = await host.RegisterOrganisationAsync();
        using var issued = await host.CreateAdminClient().PostAsJsonAsync($"/api/admin/organisations/{org.OrganisationId}/api-keys", new { roles = new[] { "analyst" } });
        string apiKey = (await Json(issued)).GetProperty("apiKey").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, await ReadAnyReportAs(apiKey));
    }

    [Theory]
    [InlineData("""{"roles":[]}""")]
    [InlineData("""{"roles":["superuser"]}""")]
    [InlineData("""{"roles":["analyst","admin"]}""")]
    [InlineData("""{}""")]
    public async Task bad_roles_are_named(string body)
    {
        var org = await host.RegisterOrganisationAsync();
        using var response = await host.CreateAdminClient().PostAsync($"/api/admin/organisations/{org.OrganisationId}/api-keys",
            new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Json(response)).GetProperty("errors").TryGetProperty("roles", out _));
    }

    [Fact]
    public async Task a_rotated_key_keeps_working_for_the_overlap_only()
    {
        var org = await host.RegisterOrganisationAsync();
        var admin = host.CreateAdminClient();
        using var list = await admin.GetAsync($"/api/admin/organisations/{org.OrganisationId}/api-keys");
        Guid firstId = (await Json(list)).GetProperty("items")[0].GetProperty("keyId").GetGuid();

        using var overlapping = await admin.PostAsync($"/api/admin/organisations/{org.OrganisationId}/api-keys/{firstId}/rotation", null);
        string second = (await Json(overlapping)).GetProperty("apiKey").GetString()!;
        Guid secondId = (await Json(overlapping)).GetProperty("keyId").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, await ReadAnyReportAs(org.ApiKey));
        Assert.Equal(HttpStatusCode.NotFound, await ReadAnyReportAs(second));

        using var immediate = await admin.PostAsync($"/api/admin/organisations/{org.OrganisationId}/api-keys/{secondId}/rotation?overlapHours=0", null);
        string third = (await Json(immediate)).GetProperty("apiKey").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAnyReportAs(second));
        Assert.Equal(HttpStatusCode.NotFound, await ReadAnyReportAs(third));
    }

    [Fact]
    public async Task a_rotated_webhook_secret_overlaps_and_a_revoked_source_refuses_everything()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        var admin = host.CreateAdminClient();
        string path = $"/webhooks/{source.SourceId}";

        using var rotated = await admin.PostAsync($"/api/admin/organisations/{org.OrganisationId}/webhook-sources/{source.SourceId}/secret-rotation", null);
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        string second = (await Json(rotated)).GetProperty("secret").GetString()!;
        foreach (string secret in new[] { source.Secret, second })
        {
            using var sent = await host.CreateClient().SendAsync(new WebhookSigner(secret).Request(path, SampleReports.Body()));
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        using var rotatedNow = await admin.PostAsync($"/api/admin/organisations/{org.OrganisationId}/webhook-sources/{source.SourceId}/secret-rotation?overlapHours=0", null);
        string third = (await Json(rotatedNow)).GetProperty("secret").GetString()!;
        using (var old = await host.CreateClient().SendAsync(new WebhookSigner(second).Request(path, SampleReports.Body())))
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        using (var current = await host.CreateClient().SendAsync(new WebhookSigner(third).Request(path, SampleReports.Body())))
            Assert.Equal(HttpStatusCode.Accepted, current.StatusCode);

        using (var revoke = await admin.DeleteAsync($"/api/admin/organisations/{org.OrganisationId}/webhook-sources/{source.SourceId}"))
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using (var after = await host.CreateClient().SendAsync(new WebhookSigner(third).Request(path, SampleReports.Body())))
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);

        using var list = await admin.GetAsync($"/api/admin/organisations/{org.OrganisationId}/webhook-sources");
        string listed = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(third["whsec_".Length..], listed);
        Assert.NotEqual(JsonValueKind.Null, (await Json(list)).GetProperty("items")[0].GetProperty("revokedAt").ValueKind);
    }

    private const string KoboMapping = """
        {"mode":"mapped","fields":{
          "platform":{"pointer":"/group_takedown/platform"},
          "account.handle":{"pointer":"/group_takedown/account"},
          "subjectType":{"value":"journalist"},
          "country":{"pointer":"/_country","value":"KZ"},
          "action":{"pointer":"/group_takedown/what","values":{"banned":"account_suspended","deleted":"content_removed"}},
          "ground.category":{"pointer":"/group_takedown/why","values":{"copyright":"intellectual_property"}},
          "ground.complaintsCount":{"pointer":"/group_takedown/complaints"},
          "occurredAt":{"pointer":"/group_takedown~1date"},
          "reporterContact.email":{"pointer":"/contact/0/email"}}}
        """;

    [Fact]
    public async Task a_mapped_source_turns_a_form_tools_payload_into_a_report()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        using (var set = await host.CreateAdminClient().PutAsync($"/api/admin/organisations/{org.OrganisationId}/webhook-sources/{source.SourceId}/mapping",
                   new StringContent(KoboMapping, Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        const string submission = """
            {"_id": 4711, "group_takedown": {"platform": "youtube", "account": "@steppe_voice", "what": "banned", "why": "copyright", "complaints": "12"},
             "group_takedown/date": "2026-11-02", "contact": [{"email": "form.person@example.org"}]}
            """;
        using var accepted = await host.CreateClient().SendAsync(new WebhookSigner(source.Secret).Request($"/webhooks/{source.SourceId}", submission));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        using var read = await host.CreateClient(org.ApiKey).GetAsync($"/api/reports/{await IntakeHost.ReportIdOf(accepted)}");
        var report = await Json(read);
        Assert.Equal("@steppe_voice", report.GetProperty("account").GetProperty("handle").GetString());
        Assert.Equal("KZ", report.GetProperty("country").GetString());
        Assert.Equal("account_suspended", report.GetProperty("action").GetString());
        Assert.Equal("intellectual_property", report.GetProperty("ground").GetProperty("category").GetString());
        Assert.Equal(12, report.GetProperty("ground").GetProperty("complaintsCount").GetInt32());
        Assert.Equal("form.person@example.org", report.GetProperty("reporterContact").GetProperty("email").GetString());

        long before = await host.StoredEventCountAsync();
        using var missing = await host.CreateClient().SendAsync(new WebhookSigner(source.Secret).Request($"/webhooks/{source.SourceId}",
            """{"group_takedown": {"platform": "youtube", "what": "banned", "why": "copyright"}, "group_takedown/date": "2026-11-02"}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        var problem = await Json(missing);
        Assert.Equal("/group_takedown/account", problem.GetProperty("pointer").GetString());
        Assert.Equal("account.handle", problem.GetProperty("field").GetString());
        Assert.Equal(before, await host.StoredEventCountAsync());
    }

    [Theory]
    [InlineData("""{"mode":"mapped","fields":{"platform":{"pointer":"/p"}}}""", "fields.occurredAt")]
    [InlineData("""{"mode":"mapped","fields":{"colour":{"pointer":"/c"}}}""", "fields.colour")]
    [InlineData("""{"mode":"mapped","fields":{"platform":{"pointer":"p"}}}""", "fields.platform.pointer")]
    [InlineData("""{"mode":"telepathic"}""", "mode")]
    public async Task a_bad_mapping_is_refused_naming_the_field(string mapping, string field)
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        using var response = await host.CreateAdminClient().PutAsync($"/api/admin/organisations/{org.OrganisationId}/webhook-sources/{source.SourceId}/mapping",
            new StringContent(mapping, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Json(response)).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }
}
