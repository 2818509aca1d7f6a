using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

/// <summary>
/// The NUL character (U+0000) in any text: PostgreSQL refuses it, so it is refused where it enters, with the field
/// named, and fails alone: never its neighbours in a batch, never an import that holds it, never a later one.
/// </summary>
public sealed class NulTextTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    private const string Nul = "a\u0000b";

    /// <summary>A valid report body with <paramref name="path"/> (dotted, [i] for an array item) set to text holding NUL.</summary>
    private static string BodyWithNul(string path, string? handle = null)
    {
        var body = JsonNode.Parse(SampleReports.Body(handle: handle))!.AsObject();
        body["reporterContact"] = new JsonObject { ["name"] = "Aigerim", ["email"] = "aigerim@example.org" };
        body["evidence"] = new JsonArray(new JsonObject { ["sha256"] = new string('a', 64), ["mediaType"] = "image/png", ["caption"] = "screenshot" });
        JsonNode node = body;
        string[] parts = path.Split('.');
        foreach (string part in parts[..^1])
            node = part.EndsWith(']') ? node[part[..part.IndexOf('[')]]![int.Parse(part[(part.IndexOf('[') + 1)..^1])]! : node[part] ??= new JsonObject();
        node[parts[^1]] = Nul;
        return body.ToJsonString();
    }

    private static async Task<string[]> ErrorFieldsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
    }

    [Theory]
    [InlineData("externalId")]
    [InlineData("account.handle")]
    [InlineData("account.platformId")]
    [InlineData("ground.policy")]
    [InlineData("ground.noticeText")]
    [InlineData("ground.claimant")]
    [InlineData("reporterContact.name")]
    [InlineData("reporterContact.messenger")]
    [InlineData("evidence[0].caption")]
    [InlineData("dsa.puid")]
    public async Task nul_in_a_report_field_is_refused_naming_it_and_stores_nothing(string field)
    {
        var org = await host.RegisterOrganisationAsync();
        long stored = await host.StoredEventCountAsync();

        using var response = await host.CreateClient(org.ApiKey).SendAsync(IntakeHost.NewReport(BodyWithNul(field)));

        Assert.Equal([field], await ErrorFieldsAsync(response));
        Assert.Equal(stored, await host.StoredEventCountAsync());
    }

    [Fact]
    public async Task a_report_with_nul_among_concurrent_ones_fails_alone()
    {
        // Reports are committed in groups: one that the database refused used to fail every report of its group.
        var org = await host.RegisterOrganisationAsync();
        var other = await host.RegisterOrganisationAsync();
        var requests = Enumerable.Range(0, 60).Select(i =>
        {
            var client = host.CreateClient(i % 2 == 0 ? org.ApiKey : other.ApiKey);
            string body = i == 30 ? BodyWithNul("ground.noticeText") : SampleReports.Body(handle: $"@batch_{i}");
            return (Index: i, Task: client.SendAsync(IntakeHost.NewReport(body)));
        }).ToList();
        await Task.WhenAll(requests.Select(r => r.Task));

        foreach (var (index, task) in requests)
        {
            using var response = await task;
            Assert.Equal(index == 30 ? HttpStatusCode.BadRequest : HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    [Fact]
    public async Task an_amendment_with_nul_is_refused_naming_the_field_and_changes_nothing()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        using var created = await client.SendAsync(IntakeHost.NewReport(SampleReports.Body(handle: "@before_nul")));
        Guid reportId = await IntakeHost.ReportIdOf(created);
        long stored = await host.StoredEventCountAsync();

        using var patch = await client.PatchAsync($"/api/reports/{reportId}",
            new StringContent($$$"""{"account":{"handle":"{{{JsonEncode(Nul)}}}"}}""", Encoding.UTF8, "application/merge-patch+json"));

        Assert.Equal(["account.handle"], await ErrorFieldsAsync(patch));
        Assert.Equal(stored, await host.StoredEventCountAsync());
        using var read = JsonDocument.Parse(await client.GetStringAsync($"/api/reports/{reportId}"));
        Assert.Equal("@before_nul", read.RootElement.GetProperty("account").GetProperty("handle").GetString());
    }

    [Fact]
    public async Task webhooks_native_and_mapped_refuse_nul_naming_the_field()
    {
        var org = await host.RegisterOrganisationAsync();
        var native = await host.AddSourceAsync(org.OrganisationId);
        long stored = await host.StoredEventCountAsync();
        using (var response = await host.CreateClient().SendAsync(
                   new WebhookSigner(native.Secret).Request($"/webhooks/{native.SourceId}", BodyWithNul("ground.claimant"))))
            Assert.Equal(["ground.claimant"], await ErrorFieldsAsync(response));

        var mapped = await host.AddSourceAsync(org.OrganisationId);
        using (var set = await host.PutMappingAsync(org.OrganisationId, mapped.SourceId, IntakeHost.WhoWhenMapping))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        string payload = $$"""{"who":"{{JsonEncode(Nul)}}","when":"2026-11-03"}""";
        using (var response = await host.CreateClient().SendAsync(new WebhookSigner(mapped.Secret).Request($"/webhooks/{mapped.SourceId}", payload)))
            Assert.Equal(["account.handle"], await ErrorFieldsAsync(response));

        // A mapping whose constant holds NUL is refused too: it is kept as given.
        using (var bad = await host.CreateAdminClient().PutAsync(
                   $"/api/admin/organisations/{org.OrganisationId}/webhook-sources/{mapped.SourceId}/mapping",
                   new StringContent($$$$"""
                       {"mode":"mapped","fields":{"platform":{"value":"vk"},"account.handle":{"pointer":"/who"},"subjectType":{"value":"cso"},
                        "country":{"value":"KG"},"action":{"value":"account_suspended"},"ground.category":{"value":"spam"},
                        "ground.claimant":{"value":"{{{{JsonEncode(Nul)}}}}"},"occurredAt":{"pointer":"/when"}}}
                       """, Encoding.UTF8, "application/json")))
            Assert.Equal(["fields.ground.claimant.value"], await ErrorFieldsAsync(bad));
        Assert.Equal(stored + 2, await host.StoredEventCountAsync()); // the source added and its first mapping
    }

    [Fact]
    public async Task an_import_holding_nul_finishes_with_that_row_named_and_does_not_block_the_next()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        string ndjson = SampleReports.Body(handle: "@nd_before_nul") + "\n" + BodyWithNul("account.handle") + "\n" +
                        SampleReports.Body(handle: "@nd_after_nul") + "\n";
        var first = await Imports.ImportTests.ImportAsync(client, ndjson, "application/x-ndjson");
        Assert.Equal("completed", first.GetProperty("status").GetString());
        Assert.Equal(2, first.GetProperty("accepted").GetInt64());
        var error = Assert.Single(first.GetProperty("errors").EnumerateArray());
        Assert.Equal((2L, "account.handle"), (error.GetProperty("line").GetInt64(), error.GetProperty("field").GetString()));

        string csv = "platform,accountHandle,subjectType,country,action,groundCategory,groundNoticeText,occurredAt\r\n" +
                     "youtube,@csv_before_nul,blogger,KZ,account_suspended,spam,,2026-11-01\r\n" +
                     "youtube,@csv_nul,blogger,KZ,account_suspended,spam,\"with a \u0000 in it\",2026-11-01\r\n";
        var second = await Imports.ImportTests.ImportAsync(client, csv, "text/csv");
        Assert.Equal("completed", second.GetProperty("status").GetString());
        Assert.Equal(1, second.GetProperty("accepted").GetInt64());
        error = Assert.Single(second.GetProperty("errors").EnumerateArray());
        Assert.Equal((3L, "groundNoticeText"), (error.GetProperty("line").GetInt64(), error.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task names_and_an_uploaded_captions_nul_is_refused_naming_the_field()
    {
        using (var organisation = await host.CreateAdminClient().PostAsJsonAsync("/api/admin/organisations", new { name = Nul }))
            Assert.Equal(["name"], await ErrorFieldsAsync(organisation));

        var org = await host.RegisterOrganisationAsync();
        using (var source = await host.CreateAdminClient().PostAsJsonAsync($"/api/admin/organisations/{org.OrganisationId}/webhook-sources", new { name = Nul }))
            Assert.Equal(["name"], await ErrorFieldsAsync(source));

        var client = host.CreateClient(org.ApiKey);
        using var created = await client.SendAsync(IntakeHost.NewReport(SampleReports.Body()));
        Guid reportId = await IntakeHost.ReportIdOf(created);
        long stored = await host.StoredEventCountAsync();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("not really a png"u8.ToArray()) { Headers = { ContentType = new("image/png") } }, "file", "shot.png" },
            { new StringContent(Nul), "caption" },
        };
        using var upload = await client.PostAsync($"/api/reports/{reportId}/evidence", form);
        Assert.Equal(["caption"], await ErrorFieldsAsync(upload));
        using var json = await client.PostAsJsonAsync($"/api/reports/{reportId}/evidence",
            new { sha256 = new string('b', 64), mediaType = "image/png", caption = Nul });
        Assert.Equal(["caption"], await ErrorFieldsAsync(json));
        Assert.Equal(stored, await host.StoredEventCountAsync());
    }

    private static string JsonEncode(string text) => JsonSerializer.Serialize(text)[1..^1];
}
