using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Intake.Integration;
using Takedowns.Intake.Organisations;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults.Parking;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Integration;

public sealed class ParkingHost : IntakeHost
{
    public ParkingHost() => ParkingSubscription.TrialDelay = TimeSpan.FromMilliseconds(20);

    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        [PipelineMonitor.IntervalSetting] = "00:00:00.200",
    };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Inspect.BindCaptureQueueAsync(VirtualHost, "Takedowns.Contracts.Reports:ReportChanges", "capture-report-changes");
        await Inspect.BindCaptureQueueAsync(VirtualHost, "Takedowns.Contracts.Organisations:ApiKeyIssued", "capture-key-issued");
    }
}

/// <summary>
/// An event Intake's outbox cannot forward is parked after its retries, the events behind it go out, the park is listed,
/// shown by health and metrics, and replayed once what it lacked is there.
/// </summary>
public sealed class ParkingTests(ParkingHost host) : IClassFixture<ParkingHost>
{
    private IDocumentStore Store => host.Services.GetRequiredService<IDocumentStore>();

    private async Task<Guid> SubmitAsync(HttpClient client)
    {
        using var response = await client.SendAsync(IntakeHost.NewReport(SampleReports.Body()));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await IntakeHost.ReportIdOf(response);
    }

    /// <summary>The ids of the reports each captured change names, by kind ("submitted", "revised").</summary>
    private async Task<List<(string Kind, Guid ReportId)>> ForwardedAsync() =>
        (await Inspect.AllMessagesAsync(host.VirtualHost))
        .Select(body => JsonDocument.Parse(body).RootElement)
        .Where(e => e.TryGetProperty("message", out var m) && m.TryGetProperty("changes", out _))
        .SelectMany(e => e.GetProperty("message").GetProperty("changes").EnumerateArray())
        .SelectMany(c => new[] { "submitted", "revised", "withdrawn" }
            .Where(k => c.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Object)
            .Select(k => (k, c.GetProperty(k).GetProperty("reportId").GetGuid())))
        .ToList();



    [Fact]
    public async Task an_event_the_outbox_cannot_forward_is_parked_the_next_ones_go_out_and_it_is_replayed_once_fixed()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        var ct = TestContext.Current.CancellationToken;
        Guid first = await SubmitAsync(client);
        await Eventually.Until(ForwardedAsync, f => f.Contains(("submitted", first)), what: "the first report forwarded");

        // An amendment of a report Intake has no record of: the outbox cannot say whose it is.
        TakedownReported reported;
        await using (var session = Store.QuerySession())
            reported = (TakedownReported)(await session.Events.FetchStreamAsync(first, token: ct))[0].Data;
        var orphan = Guid.NewGuid();
        string json = Store.Options.Serializer().ToJson(new ReportAmended(orphan, reported.Report, [], DateTimeOffset.UtcNow));
        long sequence = await PoisonEvents.AppendAsync(Store, typeof(ReportAmended), json);
        Guid next = await SubmitAsync(client);

        // What came after it goes out; it is parked, with its reason.
        await Eventually.Until(ForwardedAsync, f => f.Contains(("submitted", next)), what: "the report after the bad event forwarded");
        var parked = Assert.Single(await Eventually.Until(host.ParkedAsync, p => p.Count > 0, what: "the bad event parked"));
        Assert.Equal("event", parked.GetProperty("kind").GetString());
        Assert.Equal("intake", parked.GetProperty("service").GetString());
        Assert.Equal(ReportForwarder.SubscriptionName, parked.GetProperty("source").GetString());
        Assert.Equal(sequence, parked.GetProperty("eventSequence").GetInt64());
        Assert.Equal("report_amended", parked.GetProperty("eventType").GetString());
        Assert.Contains("KeyNotFoundException", parked.GetProperty("reason").GetString());
        Guid parkedId = parked.GetProperty("id").GetGuid();

        // Health says what is parked, and so do the metrics.
        var ready = await Eventually.Until(async () =>
        {
            using var r = await host.CreateClient().GetAsync("/health/ready");
            return (r.StatusCode, Body: await r.Content.ReadAsStringAsync());
        }, r => r.Body.Contains("\"Degraded\""), what: "readiness degraded");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains(ReportForwarder.SubscriptionName, ready.Body);
        string metrics = await Eventually.Until(() => host.CreateClient().GetStringAsync("/metrics"),
            m => m.Contains($"takedowns_parked_items{{") && m.Contains(ReportForwarder.SubscriptionName), what: "the parked-items metric");
        Assert.Contains($"source=\"{ReportForwarder.SubscriptionName}\"", metrics);

        // Replayed while the report is still unknown: it fails again and stays parked.
        var failed = await host.ReplayParkedAsync(parkedId);
        Assert.Equal("failed", failed.GetProperty("outcome").GetString());
        Assert.Single(await host.ParkedAsync());

        // Once the report exists, the replay forwards the amendment and clears the park.
        await using (var session = Store.LightweightSession())
        {
            session.Events.StartStream<Report>(orphan, reported with { ReportId = orphan });
            await session.SaveChangesAsync(ct);
        }
        var replayed = await host.ReplayParkedAsync(parkedId);
        Assert.Equal("replayed", replayed.GetProperty("outcome").GetString());
        Assert.Empty(await host.ParkedAsync());
        await Eventually.Until(ForwardedAsync, f => f.Contains(("revised", orphan)), what: "the replayed amendment forwarded");
        await Eventually.Until(async () =>
        {
            using var r = await host.CreateClient().GetAsync("/health/ready");
            return await r.Content.ReadAsStringAsync();
        }, body => body.Contains("\"status\":\"Healthy\""), what: "readiness healthy again");
    }

    [Fact]
    public async Task an_event_that_cannot_be_read_is_parked_by_every_subscription_that_takes_its_type()
    {
        var ct = TestContext.Current.CancellationToken;
        long sequence = await PoisonEvents.AppendAsync(Store, typeof(ApiKeyIssued), """{"keyId":"not a key id","organisationId":[1,2]}""");
        var org = await host.RegisterOrganisationAsync(); // issues a key after the bad event
        Assert.True(Takedowns.ServiceDefaults.ApiKeyToken.TryParse(org.ApiKey, out var keyId, out _));

        var parked = await Eventually.Until(host.ParkedAsync, p => p.Any(i => i.GetProperty("eventSequence").GetInt64() == sequence), what: "the unreadable event parked");
        var item = parked.Single(i => i.GetProperty("eventSequence").GetInt64() == sequence);
        Assert.Equal(ApiKeyForwarder.SubscriptionName, item.GetProperty("source").GetString());
        await Eventually.Until(() => Inspect.AllMessagesAsync(host.VirtualHost), m => m.Any(b => b.Contains(keyId.ToString())), what: "the next key forwarded");

        // It cannot be replayed (it still cannot be read) and is discarded.
        var id = item.GetProperty("id").GetGuid();
        Assert.Equal("failed", (await host.ReplayParkedAsync(id)).GetProperty("outcome").GetString());
        using (var discarded = await host.CreateAdminClient().DeleteAsync($"/api/admin/parked/{id}", ct))
            Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
        Assert.DoesNotContain(await host.ParkedAsync(), i => i.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task only_the_admin_sees_and_replays_parked_items_and_an_unknown_one_is_404()
    {
        var org = await host.RegisterOrganisationAsync();
        var ct = TestContext.Current.CancellationToken;
        using (var asOrganisation = await host.CreateClient(org.ApiKey).GetAsync("/api/admin/parked", ct))
            Assert.Equal(HttpStatusCode.Forbidden, asOrganisation.StatusCode);
        using (var anonymous = await host.CreateClient().PostAsync("/api/admin/parked/replay", null, ct))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var unknown = await host.CreateAdminClient().PostAsync($"/api/admin/parked/{Guid.NewGuid()}/replay", null, ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        using var all = await host.CreateAdminClient().PostAsync("/api/admin/parked/replay", null, ct);
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(JsonValueKind.Array, (await all.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("results").ValueKind);
    }
}
