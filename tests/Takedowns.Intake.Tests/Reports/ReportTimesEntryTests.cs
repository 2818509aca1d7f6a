using System.Net;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Intake.Reports;
using Takedowns.Intake.Tests.Imports;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

/// <summary>Every way a report comes in stores its times in UTC, with the reporter's offset kept, and reads them back as given.</summary>
public sealed class ReportTimesEntryTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    private const string Occurred = "2026-11-20T09:30:00+05:00";
    private const string Noticed = "2026-11-20T12:00:00+05:45";
    private static readonly DateTimeOffset OccurredUtc = new(2026, 11, 20, 4, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NoticedUtc = new(2026, 11, 20, 6, 15, 0, TimeSpan.Zero);

    private static string Body(string handle, string occurredAt = Occurred, string? noticedAt = Noticed) => JsonSerializer.Serialize(new
    {
        externalId = handle.TrimStart('@'),
        platform = "youtube",
        account = new { handle },
        subjectType = "journalist",
        country = "KZ",
        action = "account_suspended",
        ground = new { category = "intellectual_property", noticeText = "We received a complaint." },
        occurredAt,
        noticedAt,
    });

    /// <summary>The report's events as stored, read back through Marten: each draft they carry has UTC times only.</summary>
    private async Task<IReadOnlyList<ReportDraft>> StoredDraftsAsync(Guid reportId)
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(reportId);
        var drafts = events.Select(e => e.Data switch
        {
            TakedownReported r => r.Report,
            ReportAmended a => a.Report,
            _ => null,
        }).OfType<ReportDraft>().ToList();
        var snapshot = await session.LoadAsync<Report>(reportId);
        Assert.NotNull(snapshot);
        drafts.Add(snapshot.Content);
        foreach (var d in drafts)
        {
            if (d.OccurredAt is { } o) Assert.Equal(TimeSpan.Zero, o.Offset);
            if (d.NoticedAt is { } n) Assert.Equal(TimeSpan.Zero, n.Offset);
        }
        return drafts;
    }

    private async Task AssertStoredAsGivenAsync(Guid reportId, string apiKey)
    {
        var draft = (await StoredDraftsAsync(reportId))[0];
        Assert.Equal(OccurredUtc, draft.OccurredAt);
        Assert.Equal(300, draft.OccurredAtOffsetMinutes);
        Assert.Equal(NoticedUtc, draft.NoticedAt);
        Assert.Equal(345, draft.NoticedAtOffsetMinutes);

        using var read = await host.CreateClient(apiKey).GetAsync($"/api/reports/{reportId}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var view = JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("2026-11-20T09:30:00.0000000+05:00", view.GetProperty("occurredAt").GetString());
        Assert.Equal("2026-11-20T04:30:00.0000000Z", view.GetProperty("occurredAtUtc").GetString());
        Assert.Equal("2026-11-20T12:00:00.0000000+05:45", view.GetProperty("noticedAt").GetString());
        Assert.Equal("2026-11-20T06:15:00.0000000Z", view.GetProperty("noticedAtUtc").GetString());
    }

    private static HttpRequestMessage Post(string body) => new(HttpMethod.Post, "/api/reports")
    {
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
        Headers = { { "Idempotency-Key", Guid.NewGuid().ToString() } },
    };

    [Fact]
    public async Task a_report_sent_by_rest_is_stored_in_utc_and_read_back_as_given()
    {
        var org = await host.RegisterOrganisationAsync();
        using var response = await host.CreateClient(org.ApiKey).SendAsync(Post(Body("@rest_times")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await AssertStoredAsGivenAsync(await IntakeHost.ReportIdOf(response), org.ApiKey);
    }

    [Fact]
    public async Task a_native_webhook_is_stored_in_utc_and_read_back_as_given()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        using var response = await host.CreateClient().SendAsync(new WebhookSigner(source.Secret).Request($"/webhooks/{source.SourceId}", Body("@webhook_times")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await AssertStoredAsGivenAsync(await IntakeHost.ReportIdOf(response), org.ApiKey);
    }

    [Fact]
    public async Task a_mapped_webhook_is_stored_in_utc_and_read_back_as_given()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        const string mapping = """
            {"mode": "mapped", "fields": {
              "platform": {"value": "telegram"}, "account.handle": {"pointer": "/who"}, "subjectType": {"value": "blogger"},
              "country": {"value": "KG"}, "action": {"value": "content_removed"}, "ground.category": {"value": "spam"},
              "occurredAt": {"pointer": "/when/happened"}, "noticedAt": {"pointer": "/when/seen"}}}
            """;
        using (var set = await host.CreateAdminClient().PutAsync($"/api/admin/organisations/{org.OrganisationId}/webhook-sources/{source.SourceId}/mapping",
                   new StringContent(mapping, Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        string payload = JsonSerializer.Serialize(new { who = "@mapped_times", when = new { happened = Occurred, seen = Noticed } });

        using var response = await host.CreateClient().SendAsync(new WebhookSigner(source.Secret).Request($"/webhooks/{source.SourceId}", payload));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await AssertStoredAsGivenAsync(await IntakeHost.ReportIdOf(response), org.ApiKey);
    }

    [Fact]
    public async Task csv_and_ndjson_imports_store_times_in_utc_and_dates_as_days()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        string csv = "externalId,platform,accountHandle,subjectType,country,action,groundCategory,occurredAt,noticedAt\r\n" +
                     $"csv_time,youtube,@csv_time,journalist,KZ,account_suspended,spam,{Occurred},{Noticed}\r\n" +
                     "csv_day,youtube,@csv_day,journalist,KZ,account_suspended,spam,2000-02-29,2000-03-01\r\n";
        string ndjson = Body("@ndjson_time") + "\n" + Body("@ndjson_day", occurredAt: "2024-02-29", noticedAt: null) + "\n";

        Assert.Equal(2, (await ImportTests.ImportAsync(client, csv, "text/csv")).GetProperty("accepted").GetInt64());
        Assert.Equal(2, (await ImportTests.ImportAsync(client, ndjson, "application/x-ndjson")).GetProperty("accepted").GetInt64());

        using var list = await client.GetAsync("/api/reports?limit=10");
        var ids = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("externalId").GetString()!, i => i.GetProperty("reportId").GetGuid());
        await AssertStoredAsGivenAsync(ids["csv_time"], org.ApiKey);
        await AssertStoredAsGivenAsync(ids["ndjson_time"], org.ApiKey);
        var csvDay = (await StoredDraftsAsync(ids["csv_day"]))[0];
        Assert.Equal((new DateOnly(2000, 2, 29), (DateTimeOffset?)null, (int?)null, new DateOnly(2000, 3, 1)),
            (csvDay.OccurredOn, csvDay.OccurredAt, csvDay.OccurredAtOffsetMinutes, csvDay.NoticedOn!.Value));
        var ndjsonDay = (await StoredDraftsAsync(ids["ndjson_day"]))[0];
        Assert.Equal((new DateOnly(2024, 2, 29), (DateTimeOffset?)null), (ndjsonDay.OccurredOn, ndjsonDay.OccurredAt));
    }

    [Fact]
    public async Task an_amendment_stores_its_new_time_in_utc_and_an_untouched_time_is_no_change()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        using var created = await client.SendAsync(Post(Body("@amended_times")));
        Guid reportId = await IntakeHost.ReportIdOf(created);

        async Task<JsonElement> PatchAsync(string patch)
        {
            using var response = await client.PatchAsync($"/api/reports/{reportId}", new StringContent(patch, Encoding.UTF8, "application/merge-patch+json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        await PatchAsync("""{"language": "kk"}""");
        var view = await PatchAsync("""{"occurredAt": "2026-11-19T22:00:00-06:00"}""");

        var drafts = await StoredDraftsAsync(reportId);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 4, 0, 0, TimeSpan.Zero), drafts[^1].OccurredAt);
        Assert.Equal(-360, drafts[^1].OccurredAtOffsetMinutes);
        Assert.Equal("2026-11-19T22:00:00.0000000-06:00", view.GetProperty("occurredAt").GetString());
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var amendments = (await session.Events.FetchStreamAsync(reportId)).Select(e => e.Data).OfType<ReportAmended>().ToList();
        Assert.Equal(["language"], amendments[0].Changes.Select(c => c.Field)); // the time, untouched, did not change
        Assert.Equal(["occurredAt"], amendments[1].Changes.Select(c => c.Field));
    }
}
