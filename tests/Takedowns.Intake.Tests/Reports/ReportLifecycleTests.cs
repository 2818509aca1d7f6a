using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

public sealed class ReportLifecycleTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    private static HttpRequestMessage Post(string body) => new(HttpMethod.Post, "/api/reports")
    {
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
        Headers = { { "Idempotency-Key", Guid.NewGuid().ToString() } },
    };

    private async Task<(HttpClient Client, Guid ReportId)> ReportAsync(string? body = null)
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        using var created = await client.SendAsync(Post(body ?? SampleReports.Body(occurredAt: "2026-10-01")));
        return (client, await IntakeHost.ReportIdOf(created));
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [Fact]
    public async Task an_appeal_is_filed_then_decided_and_the_history_shows_each_step()
    {
        var (client, id) = await ReportAsync();

        using (var early = await client.PostAsJsonAsync($"/api/reports/{id}/appeal/decision", new { outcome = "restored", decidedOn = "2026-10-05" }))
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        using (var filed = await client.PostAsJsonAsync($"/api/reports/{id}/appeal", new { filedOn = "2026-10-02", note = "Counter-notice sent" }))
        {
            Assert.Equal(HttpStatusCode.OK, filed.StatusCode);
            Assert.Equal("appeal_filed", (await Json(filed)).GetProperty("status").GetString());
        }
        using (var twice = await client.PostAsJsonAsync($"/api/reports/{id}/appeal", new { filedOn = "2026-10-03" }))
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        using (var bad = await client.PostAsJsonAsync($"/api/reports/{id}/appeal/decision", new { outcome = "won", decidedOn = "soon" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var errors = (await Json(bad)).GetProperty("errors");
            Assert.True(errors.TryGetProperty("outcome", out _));
            Assert.True(errors.TryGetProperty("decidedOn", out _));
        }
        using (var decided = await client.PostAsJsonAsync($"/api/reports/{id}/appeal/decision", new { outcome = "restored", decidedOn = "2026-10-05" }))
            Assert.Equal("restored", (await Json(decided)).GetProperty("status").GetString());

        using var history = await client.GetAsync($"/api/reports/{id}/history");
        var types = (await Json(history)).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToArray();
        Assert.Equal(["takedown_reported", "appeal_filed", "appeal_decided"], types);
    }

    [Fact]
    public async Task an_amendment_records_what_changed_and_is_validated_as_a_whole()
    {
        var (client, id) = await ReportAsync();

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/reports/{id}")
        {
            Content = new StringContent("""{"country":"UZ","ground":{"policy":"Copyright"},"language":"uz"}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        using (var amended = await client.SendAsync(patch))
        {
            Assert.Equal(HttpStatusCode.OK, amended.StatusCode);
            var report = await Json(amended);
            Assert.Equal("UZ", report.GetProperty("country").GetString());
            Assert.Equal("Copyright", report.GetProperty("ground").GetProperty("policy").GetString());
            Assert.Equal("intellectual_property", report.GetProperty("ground").GetProperty("category").GetString());
        }
        var bad = new HttpRequestMessage(HttpMethod.Patch, $"/api/reports/{id}") { Content = new StringContent("""{"country":"Narnia","platform":null}""", Encoding.UTF8, "application/json") };
        using (var refused = await client.SendAsync(bad))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var errors = (await Json(refused)).GetProperty("errors");
            Assert.True(errors.TryGetProperty("country", out _));
            Assert.True(errors.TryGetProperty("platform", out _));
        }

        using var history = await client.GetAsync($"/api/reports/{id}/history");
        var amendment = (await Json(history)).GetProperty("events")[1];
        Assert.Equal("report_amended", amendment.GetProperty("type").GetString());
        var changes = amendment.GetProperty("data").GetProperty("changes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("field").GetString()!, c => c.GetProperty("after").ToString());
        Assert.Equal(["country", "ground.policy", "language"], changes.Keys.Order().ToArray());
        Assert.Equal("UZ", changes["country"]);
    }

    [Fact]
    public async Task evidence_is_attached_by_hash_or_as_a_checked_file_and_downloaded_by_its_owner()
    {
        var (client, id) = await ReportAsync();
        byte[] file = Encoding.UTF8.GetBytes("%PDF-1.4 a notice from the platform");
        string sha = Convert.ToHexStringLower(SHA256.HashData(file));

        using (var byHash = await client.PostAsJsonAsync($"/api/reports/{id}/evidence",
                   new { sha256 = new string('b', 64), mediaType = "image/png", caption = "Screenshot" }))
            Assert.Equal(HttpStatusCode.OK, byHash.StatusCode);

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(file) { Headers = { ContentType = new("application/pdf") } }, "file", "notice.pdf" },
            { new StringContent("Platform notice"), "caption" },
            { new StringContent(sha), "sha256" },
        };
        using (var uploaded = await client.PostAsync($"/api/reports/{id}/evidence", form))
        {
            Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
            var evidence = (await Json(uploaded)).GetProperty("evidence");
            Assert.Equal(2, evidence.GetArrayLength());
            Assert.Equal(file.Length, evidence[1].GetProperty("size").GetInt64());
        }

        using var wrongHash = new MultipartFormDataContent
        {
            { new ByteArrayContent(file), "file", "notice.pdf" },
            { new StringContent(new string('c', 64)), "sha256" },
        };
        using (var mismatch = await client.PostAsync($"/api/reports/{id}/evidence", wrongHash))
            Assert.Equal(HttpStatusCode.UnprocessableEntity, mismatch.StatusCode);

        using (var download = await client.GetAsync($"/api/reports/{id}/evidence/{sha}"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(file, await download.Content.ReadAsByteArrayAsync());
        }
        var stranger = host.CreateClient((await host.RegisterOrganisationAsync()).ApiKey);
        using (var foreign = await stranger.GetAsync($"/api/reports/{id}/evidence/{sha}"))
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);

        using var tooBig = new MultipartFormDataContent { { new ByteArrayContent(new byte[11 * 1024 * 1024]), "file", "big.bin" } };
        using (var big = await client.PostAsync($"/api/reports/{id}/evidence", tooBig))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
    }

    [Fact]
    public async Task a_retracted_report_can_no_longer_change()
    {
        var (client, id) = await ReportAsync();
        using (var retracted = await client.PostAsJsonAsync($"/api/reports/{id}/retraction", new { reason = "Reported twice by mistake" }))
            Assert.Equal("retracted", (await Json(retracted)).GetProperty("status").GetString());
        using (var appeal = await client.PostAsJsonAsync($"/api/reports/{id}/appeal", new { filedOn = "2026-10-02" }))
            Assert.Equal(HttpStatusCode.Conflict, appeal.StatusCode);
        using (var again = await client.PostAsJsonAsync($"/api/reports/{id}/retraction", new { }))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task analysts_verify_reports_shared_with_the_network_but_not_others()
    {
        var (_, shared) = await ReportAsync();
        var (_, kept) = await ReportAsync(SampleReports.Body().TrimEnd('}') + ""","consent":{"network":false}}""");
        var analyst = host.CreateAdminClient();
        using (var ok = await analyst.PostAsJsonAsync($"/api/reports/{shared}/verification", new { note = "Checked with the channel" }))
            Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        using (var hidden = await analyst.PostAsJsonAsync($"/api/reports/{kept}/verification", new { }))
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        var reporter = host.CreateClient((await host.RegisterOrganisationAsync()).ApiKey);
        using (var forbidden = await reporter.PostAsJsonAsync($"/api/reports/{shared}/verification", new { }))
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task every_report_route_answers_404_for_another_organisations_report()
    {
        var (_, id) = await ReportAsync();
        var other = host.CreateClient((await host.RegisterOrganisationAsync()).ApiKey);
        var attempts = new Func<Task<HttpResponseMessage>>[]
        {
            () => other.GetAsync($"/api/reports/{id}"),
            () => other.GetAsync($"/api/reports/{id}/history"),
            () => other.PostAsJsonAsync($"/api/reports/{id}/appeal", new { filedOn = "2026-10-02" }),
            () => other.PostAsJsonAsync($"/api/reports/{id}/appeal/decision", new { outcome = "upheld", decidedOn = "2026-10-02" }),
            () => other.PostAsJsonAsync($"/api/reports/{id}/retraction", new { }),
            () => other.PostAsJsonAsync($"/api/reports/{id}/evidence", new { sha256 = new string('d', 64), mediaType = "image/png" }),
            () => other.PatchAsync($"/api/reports/{id}", new StringContent("""{"country":"UZ"}""", Encoding.UTF8, "application/json")),
            () => other.DeleteAsync($"/api/reports/{id}/reporter-data"),
        };
        foreach (var attempt in attempts)
        {
            using var response = await attempt();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task the_list_shows_only_own_reports_filtered_and_paged_by_cursor()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        var mine = new List<Guid>();
        for (int i = 0; i < 5; i++)
        {
            using var r = await client.SendAsync(Post(SampleReports.Body(country: i < 3 ? "KZ" : "KG", platform: i % 2 == 0 ? "youtube" : "vk", occurredAt: $"2026-09-0{i + 1}")));
            mine.Add(await IntakeHost.ReportIdOf(r));
        }
        await ReportAsync(); // another organisation's

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            using var page = await client.GetAsync($"/api/reports?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var json = await Json(page);
            seen.AddRange(json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("reportId").GetGuid()));
            cursor = json.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        } while (cursor is not null);
        Assert.Equal(mine.Order().ToArray(), seen.Order().ToArray());
        Assert.Equal(seen.Count, seen.Distinct().Count());

        using var kz = await client.GetAsync("/api/reports?country=KZ&platform=youtube");
        Assert.Equal(2, (await Json(kz)).GetProperty("items").GetArrayLength());
        using var dated = await client.GetAsync("/api/reports?from=2026-09-02&to=2026-09-03");
        Assert.Equal(2, (await Json(dated)).GetProperty("items").GetArrayLength());
        using var bad = await client.GetAsync("/api/reports?status=lost&limit=0&cursor=zzz");
        var errors = (await Json(bad)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("status", out _) && errors.TryGetProperty("limit", out _) && errors.TryGetProperty("cursor", out _));
    }
}
