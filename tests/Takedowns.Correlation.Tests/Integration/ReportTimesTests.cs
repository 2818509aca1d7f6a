using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Reports;
using Takedowns.Correlation.Integration;
using Takedowns.Correlation.Series;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Integration;

/// <summary>
/// A time with an offset, from a producer that did not normalise it (or a message sent before Intake did), must not
/// stall campaign detection: PostgreSQL takes only UTC times, so Correlation converts them where messages come in.
/// </summary>
public sealed class ReportTimesTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    /// <summary>Every projection and subscription Correlation runs in the background.</summary>
    public static readonly string[] Shards =
        ["SliceDay:All", "ReportingDelays:All", "Campaign:All", $"{Takedowns.Correlation.Campaigns.CampaignLinker.SubscriptionName}:All", $"{AnalysisForwarder.SubscriptionName}:All"];

    private static ReportSubmitted Report(DateTimeOffset occurredAt, DateTimeOffset reportedAt) =>
        Submissions.Report(country: "UZ", occurredOn: DateOnly.FromDateTime(occurredAt.UtcDateTime)) with
        {
            OccurredAt = occurredAt,
            ReportedAt = reportedAt,
            ExternalId = "case-" + Guid.NewGuid().ToString("N")[..8],
            Notice = new ReportNotice("Copyright", "Example Rights Agency", "We received a complaint about a video on this channel.", null),
        };

    [Fact]
    public async Task reports_whose_times_carry_offsets_are_profiled_and_no_subscription_stalls()
    {
        var submitted = new[]
        {
            Report(new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.FromHours(5)), new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.FromHours(5))),
            Report(new DateTimeOffset(2026, 11, 20, 9, 30, 0, new TimeSpan(5, 45, 0)), DateTimeOffset.UtcNow),
            Report(new DateTimeOffset(2024, 2, 29, 23, 59, 0, TimeSpan.FromHours(-12)), DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(14))),
        };
        var bus = host.Services.GetRequiredService<IBus>();
        await bus.PublishIntegrationEvent(new ReportChanges(submitted.Select(r => new ReportChange(Guid.NewGuid(), Submitted: r)).ToList()), Guid.NewGuid(), CancellationToken.None);
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);

        await SubscriptionProgress.WaitUntilCaughtUpAsync(host.Schema, Shards);
        foreach (var r in submitted)
            Assert.Equal(1, await Database.ScalarAsync($"select count(*) from \"{host.Schema}\".mt_doc_noticeprofile where id = '{r.ReportId}'"));
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var stored = await session.Events.FetchStreamAsync(submitted[0].ReportId);
        var observed = Assert.IsType<ReportObserved>(stored[0].Data);
        Assert.Equal(TimeSpan.Zero, observed.OccurredAt!.Value.Offset);
        Assert.Equal(submitted[0].OccurredAt!.Value.UtcTicks, observed.OccurredAt.Value.UtcTicks);
        Assert.Equal(TimeSpan.Zero, observed.ReportedAt.Offset);
    }

    [Fact]
    public async Task a_revised_notice_replaces_the_stored_profile_without_stalling_detection()
    {
        // The revision arrives in a later page than the report, so its profile is loaded from the store before a new
        // one replaces it; and a report revised twice within one page replaces a profile it made itself.
        var bus = host.Services.GetRequiredService<IBus>();
        var first = Report(new DateTimeOffset(2026, 11, 18, 10, 0, 0, TimeSpan.Zero), DateTimeOffset.UtcNow);
        await bus.PublishIntegrationEvent(new ReportChanges([new ReportChange(Guid.NewGuid(), Submitted: first)]), Guid.NewGuid(), CancellationToken.None);
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);
        await SubscriptionProgress.WaitUntilCaughtUpAsync(host.Schema, Shards);

        ReportRevised Revision(long n, string text) => new(first.ReportId, first.OrganisationId, first.Platform, first.SubjectType, first.Country,
            first.Action, first.Category, first.OccurredOn, true, first.IncidentId ?? Guid.NewGuid(), n, DateTimeOffset.UtcNow, first.ExternalId, first.OccurredAt,
            new ReportNotice("Copyright", "Example Rights Agency", text, null));
        await bus.PublishIntegrationEvent(new ReportChanges(
        [
            new ReportChange(Guid.NewGuid(), Revised: Revision(2, "We received a complaint about a video on this channel, revised.")),
            new ReportChange(Guid.NewGuid(), Revised: Revision(3, "We received a second complaint about the video on this channel.")),
        ]), Guid.NewGuid(), CancellationToken.None);
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);

        // The linker stores the latest revision's profile, and every shard (the linker among them) gets past both revisions.
        await Eventually.Until(
            () => Database.ScalarAsync($"select coalesce(max((data->>'revision')::bigint), 0) from \"{host.Schema}\".mt_doc_noticeprofile where id = '{first.ReportId}'"),
            revision => revision == 3, TimeSpan.FromSeconds(90), "the profile of the third revision");
        await SubscriptionProgress.WaitUntilCaughtUpAsync(host.Schema, Shards);
    }

    [Fact]
    public void every_time_of_a_report_change_is_converted_to_utc_at_the_same_instant()
    {
        var plus5 = TimeSpan.FromHours(5);
        var at = new DateTimeOffset(2026, 11, 20, 9, 30, 0, plus5);
        var submitted = Submissions.Report() with { ReportedAt = at.AddDays(1), OccurredAt = at };
        var revised = new ReportRevised(Guid.NewGuid(), Guid.NewGuid(), Platform.Telegram, SubjectType.Blogger, "KZ", TakedownAction.ContentRemoved,
            GroundCategory.Spam, new DateOnly(2026, 11, 20), true, Guid.NewGuid(), 2, at.AddDays(2), OccurredAt: at.ToOffset(new TimeSpan(-3, -30, 0)));
        var withdrawn = new ReportWithdrawn(Guid.NewGuid(), Guid.NewGuid(), null, at.ToOffset(TimeSpan.FromHours(14)));

        var s = new ReportChange(Guid.NewGuid(), Submitted: submitted).InUtc().Submitted!;
        var r = new ReportChange(Guid.NewGuid(), Revised: revised).InUtc().Revised!;
        var w = new ReportChange(Guid.NewGuid(), Withdrawn: withdrawn).InUtc().Withdrawn!;

        Assert.All([s.ReportedAt, s.OccurredAt!.Value, r.RevisedAt, r.OccurredAt!.Value, w.WithdrawnAt], t => Assert.Equal(TimeSpan.Zero, t.Offset));
        Assert.Equal([submitted.ReportedAt, submitted.OccurredAt!.Value, revised.RevisedAt, revised.OccurredAt!.Value, withdrawn.WithdrawnAt],
            [s.ReportedAt, s.OccurredAt.Value, r.RevisedAt, r.OccurredAt.Value, w.WithdrawnAt]); // the same instants
        Assert.Equal(submitted with { ReportedAt = s.ReportedAt, OccurredAt = s.OccurredAt }, s); // and nothing else changed
    }

    [Fact]
    public void report_events_stored_with_an_offset_read_back_in_utc()
    {
        // Events stored before times were normalised hold the reporter's offset; replayed, they must not stall detection either.
        var serializer = host.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
        T StoredWithOffsets<T>(T e)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(serializer.ToJson(e!))!;
            node["occurredAt"] = "2026-11-20T09:30:00+05:00";
            if (node["reportedAt"] is not null) node["reportedAt"] = "2026-11-21T08:00:00+05:45";
            return serializer.FromJson<T>(new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(node)));
        }
        var observed = StoredWithOffsets(new ReportObserved(Guid.NewGuid(), Guid.NewGuid(), "KZ", Platform.YouTube, GroundCategory.IntellectualProperty,
            SubjectType.Journalist, TakedownAction.AccountSuspended, new DateOnly(2026, 11, 20), DateTimeOffset.UtcNow));
        var revised = StoredWithOffsets(new ObservedReportRevised(Guid.NewGuid(), 2, "KZ", Platform.YouTube, GroundCategory.IntellectualProperty,
            SubjectType.Journalist, TakedownAction.AccountSuspended, new DateOnly(2026, 11, 20), Guid.NewGuid()));

        var expected = new DateTimeOffset(2026, 11, 20, 4, 30, 0, TimeSpan.Zero);
        Assert.Equal(expected, observed.OccurredAt);
        Assert.Equal(TimeSpan.Zero, observed.OccurredAt!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 2, 15, 0, TimeSpan.Zero), observed.ReportedAt);
        Assert.Equal(TimeSpan.Zero, observed.ReportedAt.Offset);
        Assert.Equal(expected, revised.OccurredAt);
        Assert.Equal(TimeSpan.Zero, revised.OccurredAt!.Value.Offset);
    }
}
