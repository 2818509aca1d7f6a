using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using Takedowns.Intake.Reports;

namespace Takedowns.Intake.Tests.Reports;

/// <summary>Times are stored in UTC, with the offset the reporter gave kept beside them.</summary>
public sealed class ReportTimesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static string Body(string occurredAt, string? noticedAt = null) => JsonSerializer.Serialize(new
    {
        platform = "youtube",
        account = new { handle = "@steppe_news" },
        subjectType = "independent_media",
        country = "KZ",
        action = "account_suspended",
        ground = new { category = "intellectual_property" },
        occurredAt,
        noticedAt,
    });

    private static ReportDraft Draft(string occurredAt, string? noticedAt = null)
    {
        var report = ReportValidation.Validate(Encoding.UTF8.GetBytes(Body(occurredAt, noticedAt)), Now, out var errors);
        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(' ', e.Value)}")));
        return report!.Draft;
    }

    [Fact]
    public void a_time_with_an_offset_is_stored_in_utc_with_the_offset_kept()
    {
        var draft = Draft("2026-11-20T09:30:00+05:00");

        Assert.Equal(new DateTimeOffset(2026, 11, 20, 4, 30, 0, TimeSpan.Zero), draft.OccurredAt);
        Assert.Equal(TimeSpan.Zero, draft.OccurredAt!.Value.Offset);
        Assert.Equal(300, draft.OccurredAtOffsetMinutes);
        Assert.Equal(new DateOnly(2026, 11, 20), draft.OccurredOn);
    }

    [Theory]
    [InlineData("2026-11-20T09:30:00Z", 0)]
    [InlineData("2026-11-20T09:30:00+05:45", 345)]
    [InlineData("2026-11-20T09:30:00+05:30", 330)]
    [InlineData("2026-11-20T09:30:00-12:00", -720)]
    [InlineData("2026-11-20T09:30:00+14:00", 840)]
    [InlineData("2026-11-20T09:30:00.125-03:30", -210)]
    public void every_offset_is_kept_in_minutes_beside_the_utc_time(string given, int minutes)
    {
        var draft = Draft(given);
        var instant = DateTimeOffset.Parse(given, CultureInfo.InvariantCulture);

        Assert.Equal(TimeSpan.Zero, draft.OccurredAt!.Value.Offset);
        Assert.Equal(instant.UtcTicks, draft.OccurredAt.Value.UtcTicks);
        Assert.Equal(minutes, draft.OccurredAtOffsetMinutes);
    }

    [Fact]
    public void a_date_alone_stays_a_day_without_time_or_offset()
    {
        var draft = Draft("2024-02-29", "2024-03-01");

        Assert.Equal(new DateOnly(2024, 2, 29), draft.OccurredOn);
        Assert.Null(draft.OccurredAt);
        Assert.Null(draft.OccurredAtOffsetMinutes);
        Assert.Equal(new DateOnly(2024, 3, 1), draft.NoticedOn);
        Assert.Null(draft.NoticedAt);
        Assert.Null(draft.NoticedAtOffsetMinutes);
    }

    [Fact]
    public void noticed_at_is_normalised_with_its_own_offset()
    {
        var draft = Draft("2026-11-20T09:30:00+05:00", "2026-11-20T01:00:00-08:00");

        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), draft.NoticedAt);
        Assert.Equal(-480, draft.NoticedAtOffsetMinutes);
    }

    [Fact]
    public void the_report_shows_each_time_as_the_reporter_gave_it_and_in_utc()
    {
        var draft = Draft("2026-11-20T09:30:00+05:00", "2026-11-21");
        var report = Report.Create(new TakedownReported(Guid.NewGuid(), Guid.NewGuid(), ReportChannel.Api, null, draft, Now));

        var view = ReportView.From(report, contact: null);

        Assert.Equal("2026-11-20T09:30:00.0000000+05:00", view.OccurredAt);
        Assert.Equal("2026-11-20T04:30:00.0000000Z", view.OccurredAtUtc);
        Assert.Equal("2026-11-21", view.NoticedAt);
        Assert.Null(view.NoticedAtUtc);
    }

    [Fact]
    public void a_time_stored_with_its_offset_before_normalisation_reads_back_the_same()
    {
        // Reports taken in before times were normalised hold the reporter's offset in the time itself.
        var draft = Draft("2026-11-20") with { OccurredAt = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.FromHours(5)) };
        var report = Report.Create(new TakedownReported(Guid.NewGuid(), Guid.NewGuid(), ReportChannel.Api, null, draft, Now));

        var view = ReportView.From(report, contact: null);

        Assert.Equal("2026-11-20T09:30:00.0000000+05:00", view.OccurredAt);
        Assert.Equal("2026-11-20T04:30:00.0000000Z", view.OccurredAtUtc);
        Assert.Equal("2026-11-20T09:30:00.0000000+05:00", ReportInputs.ToJson(draft)["occurredAt"]!.GetValue<string>());
    }

    /// <summary>Any valid time in any offset: stored in UTC at the same instant, offset kept, and written back unchanged.</summary>
    [Fact]
    public void any_time_in_any_offset_is_stored_in_utc_and_an_unchanged_amendment_changes_nothing()
    {
        var offsets = Gen.Int[-12 * 4, 14 * 4].Select(quarters => TimeSpan.FromMinutes(quarters * 15));
        var instants = Gen.Long[new DateTime(2000, 1, 2).Ticks, Now.AddHours(-1).UtcTicks]
            .Select(ticks => new DateTimeOffset(ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero));
        Gen.Select(instants, offsets, Gen.Int[0, 72 * 60], offsets).Sample((at, offset, minutesLater, noticedOffset) =>
        {
            string occurred = at.ToOffset(offset).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
            var noticedAt = at.AddMinutes(minutesLater);
            if (noticedAt > Now) noticedAt = Now;
            string noticed = noticedAt.ToOffset(noticedOffset).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

            var draft = Draft(occurred, noticed);

            Assert.Equal(TimeSpan.Zero, draft.OccurredAt!.Value.Offset);
            Assert.Equal(at, draft.OccurredAt);
            Assert.Equal((int)offset.TotalMinutes, draft.OccurredAtOffsetMinutes);
            Assert.Equal(DateOnly.FromDateTime(at.UtcDateTime), draft.OccurredOn);
            Assert.Equal(TimeSpan.Zero, draft.NoticedAt!.Value.Offset);
            Assert.Equal(noticedAt, draft.NoticedAt);
            Assert.Equal((int)noticedOffset.TotalMinutes, draft.NoticedAtOffsetMinutes);

            // What an amendment patches is the body as the reporter sent it: read back, it is the same report.
            var written = ReportInputs.ToJson(draft);
            var again = ReportValidation.Validate(Encoding.UTF8.GetBytes(written.ToJsonString()), Now, out var errors);
            Assert.True(errors.IsEmpty);
            Assert.Equal(draft, again!.Draft);
            Assert.Empty(AmendReportEndpoint.Diff(written, ReportInputs.ToJson(again.Draft)));
        }, iter: 2000);
    }
}
