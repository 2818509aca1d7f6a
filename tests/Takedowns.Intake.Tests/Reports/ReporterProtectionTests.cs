using System.Net;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Intake.Reports;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

public sealed class ReporterProtectionTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    // Made-up values, unlikely to occur anywhere by chance.
    private const string Name = "Zqxvbn Sentinelova";
    private const string Email = "zqxvbn.sentinel@example.org";
    private const string Phone = "+7 700 918 27 36";
    private const string Messenger = "@zqxvbn_sentinel_tg";
    private static readonly string[] Sentinels = [Name, "Zqxvbn", Email, "zqxvbn.sentinel", Phone, "700 918 27 36", "7009182736", Messenger];

    private static string BodyWithContact(string handle) =>
        SampleReports.Body(handle: handle).TrimEnd('}') +
        $$$""","reporterContact":{"name":"{{{Name}}}","email":"{{{Email}}}","phone":"{{{Phone}}}","messenger":"{{{Messenger}}}"}}""";

    private static HttpRequestMessage Post(string body) => new(HttpMethod.Post, "/api/reports")
    {
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
        Headers = { { "Idempotency-Key", Guid.NewGuid().ToString() } },
    };

    [Fact]
    public async Task contact_data_is_read_back_by_its_organisation_only_until_it_is_erased()
    {
        var owner = await host.RegisterOrganisationAsync();
        var other = await host.RegisterOrganisationAsync();
        using var created = await host.CreateClient(owner.ApiKey).SendAsync(Post(BodyWithContact("@erasable")));
        Guid reportId = await IntakeHost.ReportIdOf(created);

        using (var read = await host.CreateClient(owner.ApiKey).GetAsync($"/api/reports/{reportId}"))
        {
            var contact = JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("reporterContact");
            Assert.Equal(Email, contact.GetProperty("email").GetString());
            Assert.Equal(Phone, contact.GetProperty("phone").GetString());
        }
        using (var foreignErase = await host.CreateClient(other.ApiKey).DeleteAsync($"/api/reports/{reportId}/reporter-data"))
            Assert.Equal(HttpStatusCode.NotFound, foreignErase.StatusCode);

        using (var erase = await host.CreateClient(owner.ApiKey).DeleteAsync($"/api/reports/{reportId}/reporter-data"))
            Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        using (var again = await host.CreateClient(owner.ApiKey).DeleteAsync($"/api/reports/{reportId}/reporter-data"))
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);

        using (var read = await host.CreateClient(owner.ApiKey).GetAsync($"/api/reports/{reportId}"))
        {
            var report = JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(JsonValueKind.Null, report.GetProperty("reporterContact").ValueKind);
            Assert.True(report.GetProperty("reporterDataErased").GetBoolean());
            Assert.Equal("@erasable", report.GetProperty("account").GetProperty("handle").GetString());
        }

        // The key is gone, the sealed copy stays in the history, and the history still folds into the report.
        Assert.Equal(0, await Database.ScalarAsync($"select count(*) from \"{host.Schema}\".mt_doc_reporterkey where id = '{reportId}'"));
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(reportId);
        Assert.Equal(2, events.Count);
        var sealedContact = ((TakedownReported)events[0].Data).ReporterContact;
        Assert.NotNull(sealedContact);
        var rebuilt = await session.Events.AggregateStreamAsync<Report>(reportId);
        Assert.NotNull(rebuilt!.ReporterDataErasedAt);
        Assert.Null(await ReporterVault.ReadAsync(session, rebuilt with { ReporterContact = sealedContact }, host.Services.GetRequiredService<ReporterKeys>(), CancellationToken.None));
    }

    [Fact]
    public async Task personal_data_appears_in_plaintext_nowhere_it_is_kept()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        const string capture = "test-capture-report-submitted";
        await Inspect.BindCaptureQueueAsync(host.VirtualHost, "Takedowns.Contracts.Reports:ReportChanges", capture);

        // Every intake path, every personal field.
        var ids = new List<Guid>();
        using (var rest = await host.CreateClient(org.ApiKey).SendAsync(Post(BodyWithContact("@control_rest_zq"))))
            ids.Add(await IntakeHost.ReportIdOf(rest));
        using (var webhook = await host.CreateClient().SendAsync(
                   new WebhookSigner(source.Secret).Request($"/webhooks/{source.SourceId}", BodyWithContact("@control_hook_zq"))))
            ids.Add(await IntakeHost.ReportIdOf(webhook));

        var mappedSource = await host.AddSourceAsync(org.OrganisationId);
        using (var set = await host.CreateAdminClient().PutAsync(
                   $"/api/admin/organisations/{org.OrganisationId}/webhook-sources/{mappedSource.SourceId}/mapping",
                   new StringContent("""
                       {"mode":"mapped","fields":{"platform":{"value":"vk"},"account.handle":{"pointer":"/who"},"subjectType":{"value":"cso"},
                        "country":{"value":"KG"},"action":{"value":"account_suspended"},"ground.category":{"value":"spam"},
                        "occurredAt":{"pointer":"/when"},"reporterContact.name":{"pointer":"/me/name"},"reporterContact.email":{"pointer":"/me/email"},
                        "reporterContact.phone":{"pointer":"/me/phone"},"reporterContact.messenger":{"pointer":"/me/tg"}}}
                       """, Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        string formPayload = $$$"""{"who":"@control_mapped_zq","when":"2026-11-03","me":{"name":"{{{Name}}}","email":"{{{Email}}}","phone":"{{{Phone}}}","tg":"{{{Messenger}}}"}}""";
        using (var mapped = await host.CreateClient().SendAsync(
                   new WebhookSigner(mappedSource.Secret).Request($"/webhooks/{mappedSource.SourceId}", formPayload)))
            ids.Add(await IntakeHost.ReportIdOf(mapped));

        var csv = await Imports.ImportTests.ImportAsync(host.CreateClient(org.ApiKey),
            "platform,accountHandle,subjectType,country,action,groundCategory,occurredAt,reporterName,reporterEmail,reporterPhone,reporterMessenger\r\n" +
            $"youtube,@control_csv_zq,blogger,KZ,account_suspended,spam,2026-11-01,{Name},{Email},{Phone},{Messenger}\r\n", "text/csv");
        var ndjson = await Imports.ImportTests.ImportAsync(host.CreateClient(org.ApiKey), BodyWithContact("@control_nd_zq") + "\n", "application/x-ndjson");
        Assert.Equal(1, csv.GetProperty("accepted").GetInt64());
        Assert.Equal(1, ndjson.GetProperty("accepted").GetInt64());

        var messages = await Eventually.Until(() => Inspect.AllMessagesAsync(host.VirtualHost), m => SubmittedCount(m) >= ids.Count + 2,
            what: "the forwarded reports");
        string dump = await Inspect.PgDumpAsync(host.Schema); // all the service keeps: its own schema
        string logs = host.Logs.Text;

        // The checks can fail: what is not personal is there to be found.
        foreach (var id in ids) Assert.Contains(messages, m => m.Contains(id.ToString()));
        Assert.Contains("@control_rest_zq", dump);
        Assert.Contains("@control_hook_zq", dump);
        Assert.Contains("@control_csv_zq", dump);
        Assert.Contains("@control_nd_zq", dump);
        Assert.Contains("@control_mapped_zq", dump);
        Assert.NotEmpty(logs);

        foreach (string sentinel in Sentinels)
        {
            Assert.DoesNotContain(sentinel, dump);
            Assert.All(messages, m => Assert.DoesNotContain(sentinel, m));
            Assert.DoesNotContain(sentinel, logs);
        }
    }

    /// <summary>How many submitted reports the captured <c>ReportChanges</c> messages carry.</summary>
    private static int SubmittedCount(IEnumerable<string> messages) => messages.Sum(m =>
        JsonDocument.Parse(m).RootElement.GetProperty("message").GetProperty("changes").EnumerateArray()
            .Count(c => c.TryGetProperty("submitted", out var submitted) && submitted.ValueKind == JsonValueKind.Object));
}
