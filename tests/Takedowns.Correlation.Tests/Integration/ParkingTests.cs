using System.Net;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Campaigns;
using Takedowns.Correlation.Integration;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Integration;

public sealed class ParkingHost : ServiceHost<Program>
{
    public ParkingHost() => ParkingSubscription.TrialDelay = TimeSpan.FromMilliseconds(20);

    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        [PipelineMonitor.IntervalSetting] = "00:00:00.200",
    };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Inspect.BindCaptureQueueAsync(VirtualHost, "Takedowns.Contracts.Analysis:CampaignDismissed", "capture-campaign-dismissed");
    }
}

/// <summary>
/// Whatever Correlation cannot process (a change, a message, an event of a subscription or of a projection) is parked after
/// its retries, and what comes after it is processed; the park is listed and can be replayed or discarded.
/// </summary>
public sealed class ParkingTests(ParkingHost host) : IClassFixture<ParkingHost>
{
    private IDocumentStore Store => host.Services.GetRequiredService<IDocumentStore>();



    private async Task<bool> ObservedAsync(Guid reportId)
    {
        await using var session = Store.QuerySession();
        return (await session.Events.FetchStreamAsync(reportId)).Count > 0;
    }

    [Fact]
    public async Task a_change_that_cannot_be_applied_is_parked_alone_and_the_rest_of_its_page_is_applied()
    {
        var bus = host.Services.GetRequiredService<IBus>();
        var before = Submissions.Report(country: "UZ");
        var after = Submissions.Report(country: "UZ");
        var empty = new ReportChange(Guid.NewGuid()); // carries no change at all
        await bus.PublishIntegrationEvent(new ReportChanges([
            new ReportChange(Guid.NewGuid(), Submitted: before), empty, new ReportChange(Guid.NewGuid(), Submitted: after),
        ]), Guid.NewGuid(), CancellationToken.None);

        await Eventually.Until(async () => await ObservedAsync(before.ReportId) && await ObservedAsync(after.ReportId), ok => ok,
            what: "the changes around the bad one applied");
        static bool IsTheChange(JsonElement i) => i.GetProperty("kind").GetString() == "message"
            && i.GetProperty("messageType").GetString() == "urn:message:Takedowns.Contracts.Reports:ReportChanges";
        var parked = await Eventually.Until(host.ParkedAsync, p => p.Any(IsTheChange), what: "the bad change parked");
        var item = Assert.Single(parked, IsTheChange);
        Assert.EndsWith("report-changes", item.GetProperty("source").GetString());
        Assert.Equal("urn:message:Takedowns.Contracts.Reports:ReportChanges", item.GetProperty("messageType").GetString());
        Assert.Contains("carries no report change", item.GetProperty("reason").GetString());
        await Eventually.Until(() => Queues.InHandAsync(host.VirtualHost), n => n == 0, what: "the consumers' queues to drain"); // parked, not left on a queue

        // Replayed, it goes back to its queue, fails there again and is parked again, under the same id.
        var id = item.GetProperty("id").GetGuid();
        Assert.Equal("sent", (await host.ReplayParkedAsync(id)).GetProperty("outcome").GetString());
        await Eventually.Until(host.ParkedAsync, p => p.Any(i => i.GetProperty("id").GetGuid() == id && i.GetProperty("parkedAt").GetDateTimeOffset() > item.GetProperty("parkedAt").GetDateTimeOffset()),
            what: "the replayed change parked again");
        using var discarded = await host.CreateAdminClient().DeleteAsync($"/api/admin/parked/{id}");
        Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
    }

    [Fact]
    public async Task a_message_that_cannot_be_read_is_parked_and_the_queue_moves_on()
    {
        await RawMessages.PublishAsync(host.VirtualHost, "Takedowns.Contracts.Reports:ReportSubmitted", """
            {"messageId":"5f0c8a52-0000-0000-0000-000000000001","messageType":["urn:message:Takedowns.Contracts.Reports:ReportSubmitted"],
             "message":{"reportId":"not a guid","country":{"nested":true}}}
            """);
        var next = Submissions.Report(country: "TM");
        var bus = host.Services.GetRequiredService<IBus>();
        await bus.PublishIntegrationEvent(next, Guid.NewGuid(), CancellationToken.None);

        await Eventually.Until(() => ObservedAsync(next.ReportId), ok => ok, what: "the next message consumed");
        var parked = await Eventually.Until(host.ParkedAsync, p => p.Any(i => i.GetProperty("messageType").GetString()?.EndsWith(":ReportSubmitted") == true),
            what: "the unreadable message parked");
        var item = parked.Single(i => i.GetProperty("messageType").GetString()?.EndsWith(":ReportSubmitted") == true);
        Assert.EndsWith("report-changes", item.GetProperty("source").GetString());
        await Eventually.Until(() => Queues.InHandAsync(host.VirtualHost), n => n == 0, what: "the consumers' queues to drain");

        // It cannot be sent again as it is: the replay says so, and it stays until discarded.
        var id = item.GetProperty("id").GetGuid();
        var replay = await host.ReplayParkedAsync(id);
        Assert.Equal("failed", replay.GetProperty("outcome").GetString());
        Assert.Contains(await host.ParkedAsync(), i => i.GetProperty("id").GetGuid() == id);
        using var discarded = await host.CreateAdminClient().DeleteAsync($"/api/admin/parked/{id}");
        Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
    }

    [Fact]
    public async Task an_event_the_analysis_outbox_cannot_publish_is_parked_and_the_next_goes_out()
    {
        var bad = Guid.NewGuid();
        long badSequence = await PoisonEvents.AppendAsync(Store, typeof(CampaignRaised), Store.Options.Serializer().ToJson(
            new CampaignRaised(bad, Guid.NewGuid(), [], ["text"], 1, 0.001, DateTimeOffset.UtcNow)));
        var dismissed = Guid.NewGuid();
        await PoisonEvents.AppendAsync(Store, typeof(CampaignDismissedByAnalyst), Store.Options.Serializer().ToJson(
            new CampaignDismissedByAnalyst(dismissed, "analyst", "not a campaign", DateTimeOffset.UtcNow)));

        await Eventually.Until(() => Inspect.AllMessagesAsync(host.VirtualHost), m => m.Any(b => b.Contains(dismissed.ToString())),
            what: "the event after the bad one published");
        var parked = await Eventually.Until(host.ParkedAsync,
            p => p.Any(i => i.GetProperty("source").GetString() == AnalysisForwarder.SubscriptionName), what: "the bad event parked");
        var item = parked.Single(i => i.GetProperty("source").GetString() == AnalysisForwarder.SubscriptionName);
        Assert.Equal(badSequence, item.GetProperty("eventSequence").GetInt64());
        Assert.Equal("campaign_raised", item.GetProperty("eventType").GetString());
        Assert.Contains("InvalidOperationException", item.GetProperty("reason").GetString());
        Assert.Equal("failed", (await host.ReplayParkedAsync(item.GetProperty("id").GetGuid())).GetProperty("outcome").GetString());
        // What was captured is taken off, so that the other tests find every queue of the host drained.
        await TestEnvironment.RunInfraAsync("rabbitmqctl", "purge_queue", "-p", host.VirtualHost, "capture-campaign-dismissed");
    }

    [Fact]
    public async Task a_report_event_campaign_detection_cannot_read_is_parked_and_detection_goes_on()
    {
        long badSequence = await PoisonEvents.AppendAsync(Store, typeof(ReportObserved),
            $$"""{"reportId":"{{Guid.NewGuid()}}","organisationId":"{{Guid.NewGuid()}}","country":"TJ","platform":"telegram","category":"spam","subjectType":"cso","action":"account_suspended","occurredOn":"2026-02-30","reportedAt":"2026-03-01T00:00:00Z"}""");
        var next = Submissions.Report(country: "TJ");
        await host.Services.GetRequiredService<IBus>().PublishIntegrationEvent(
            new ReportChanges([new ReportChange(Guid.NewGuid(), Submitted: next)]), Guid.NewGuid(), CancellationToken.None);
        await Eventually.Until(() => ObservedAsync(next.ReportId), ok => ok, what: "the next report observed");

        // Campaign detection went past both: its progress reached the last event stored.
        var progress = await Eventually.Until(() => SubscriptionProgress.ReadAsync(host.Schema, [$"{CampaignLinker.SubscriptionName}:All"]),
            p => p.Shards.Single(s => s.Name == $"{CampaignLinker.SubscriptionName}:All").LastSeqId >= p.LastEvent, what: "campaign detection past the bad event");
        Assert.True(progress.LastEvent > badSequence);
        var parked = await Eventually.Until(host.ParkedAsync, p => p.Any(i => i.GetProperty("source").GetString() == CampaignLinker.SubscriptionName),
            what: "the unreadable event parked by campaign detection");
        var item = parked.Single(i => i.GetProperty("source").GetString() == CampaignLinker.SubscriptionName);
        Assert.Equal(badSequence, item.GetProperty("eventSequence").GetInt64());
        Assert.Equal("report_observed", item.GetProperty("eventType").GetString());
    }

    [Fact]
    public async Task an_event_a_projection_cannot_read_is_parked_counted_around_and_replayed_by_a_rebuild()
    {
        var day = new DateOnly(2026, 3, 14);
        long badSequence = await PoisonEvents.AppendAsync(Store, typeof(IncidentObserved),
            $$"""{"incidentId":"{{Guid.NewGuid()}}","firstReportId":"{{Guid.NewGuid()}}","country":"TJ","platform":"no-such-platform","category":"spam","subjectType":"cso","action":"account_suspended","occurredOn":"2026-03-14"}""");
        var good = new IncidentObserved(Guid.NewGuid(), Guid.NewGuid(), "TJ", Contracts.Platform.Telegram, Contracts.GroundCategory.Spam,
            Contracts.SubjectType.Cso, Contracts.TakedownAction.AccountSuspended, day);
        await PoisonEvents.AppendAsync(Store, typeof(IncidentObserved), Store.Options.Serializer().ToJson(good));

        async Task<int?> CountAsync()
        {
            await using var session = Store.QuerySession();
            return (await session.LoadAsync<SliceDay>(SliceDay.KeyOf(good)))?.Count;
        }
        Assert.Equal(1, await Eventually.Until(CountAsync, c => c == 1, what: "the good event counted"));
        bool IsBad(JsonElement i) => i.GetProperty("kind").GetString() == "event" && i.GetProperty("eventSequence").GetInt64() == badSequence;
        var parked = await Eventually.Until(host.ParkedAsync, p => p.Count(IsBad) >= 2, what: "the unreadable event parked by the series projections");
        var sliceDays = parked.Single(i => IsBad(i) && i.GetProperty("source").GetString()!.Contains("SliceDay"));

        // Replayed, the projection is rebuilt from its first event: the good event is counted once, the bad one parked again.
        Assert.Equal("rebuilding", (await host.ReplayParkedAsync(sliceDays.GetProperty("id").GetGuid())).GetProperty("outcome").GetString());
        await Eventually.Until(host.ParkedAsync, p => p.Any(i => i.GetProperty("source").GetString()!.Contains("SliceDay")
            && i.GetProperty("parkedAt").GetDateTimeOffset() > sliceDays.GetProperty("parkedAt").GetDateTimeOffset()), what: "the rebuild done");
        Assert.Equal(1, await CountAsync());
    }
}
