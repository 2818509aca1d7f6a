using Takedowns.Contracts;
using Takedowns.Intake.Reports;

namespace Takedowns.Intake.Tests.Reports;

public sealed class IncidentTests
{
    private static TakedownReported Reported(string handle, string occurredAt, TakedownAction action = TakedownAction.AccountSuspended,
        string? platformId = null)
    {
        var at = DateTimeOffset.Parse(occurredAt);
        var draft = new ReportDraft(null, Platform.YouTube, new Account(handle, null, platformId), SubjectType.Journalist, "KZ", action,
            new Ground(GroundCategory.Spam, null, null, null), DateOnly.FromDateTime(at.UtcDateTime), at);
        return new TakedownReported(Guid.NewGuid(), Guid.NewGuid(), ReportChannel.Api, null, draft, at);
    }

    private static Guid Link(IncidentIndex index, TakedownReported e)
    {
        Assert.Equal(index.Id, Incidents.KeyOf(e.Report));
        return Incidents.Link(index, e);
    }

    [Fact]
    public void two_organisations_reporting_one_takedown_within_a_day_share_an_incident()
    {
        var first = Reported("@Steppe_News", "2026-11-20T08:00:00Z");
        var second = Reported("steppe_news", "2026-11-21T07:00:00Z");
        var index = new IncidentIndex { Id = Incidents.KeyOf(first.Report) };
        Guid a = Link(index, first), b = Link(index, second);
        Assert.Equal(a, b);
        Assert.Equal(2, Assert.Single(index.Incidents).Members.Count);
        Assert.Equal(a, Incidents.Link(index, second)); // the same report linked again changes nothing
        Assert.Equal(2, index.Incidents[0].Members.Count);
    }

    [Fact]
    public void reports_days_apart_are_separate_incidents()
    {
        var first = Reported("@steppe_news", "2026-11-20T08:00:00Z");
        var later = Reported("@steppe_news", "2026-11-22T09:00:00Z");
        var index = new IncidentIndex { Id = Incidents.KeyOf(first.Report) };
        Assert.NotEqual(Link(index, first), Link(index, later));
    }

    [Fact]
    public void another_action_or_account_is_another_incident()
    {
        var suspended = Reported("@steppe_news", "2026-11-20T08:00:00Z");
        Assert.NotEqual(Incidents.KeyOf(suspended.Report), Incidents.KeyOf(Reported("@steppe_news", "2026-11-20T08:00:00Z", TakedownAction.ContentRemoved).Report));
        Assert.NotEqual(Incidents.KeyOf(suspended.Report), Incidents.KeyOf(Reported("@other", "2026-11-20T08:00:00Z").Report));
        // A platform account id, where given, identifies the account whatever the handle says.
        Assert.Equal(Incidents.KeyOf(Reported("@old_name", "2026-11-20T08:00:00Z", platformId: "UC123").Report),
            Incidents.KeyOf(Reported("@new_name", "2026-11-20T08:00:00Z", platformId: "uc123").Report));
    }

    [Fact]
    public void a_report_moved_out_of_a_shared_incident_starts_one_named_after_its_revision()
    {
        var first = Reported("@steppe_news", "2026-11-20T08:00:00Z");
        var second = Reported("@steppe_news", "2026-11-20T20:00:00Z");
        var index = new IncidentIndex { Id = Incidents.KeyOf(first.Report) };
        Guid shared = Link(index, first);
        Link(index, second);

        // The first report is amended to a week later: it leaves, the incident keeps the second report only.
        var moved = first.Report with { OccurredAt = DateTimeOffset.Parse("2026-11-27T08:00:00Z"), OccurredOn = new DateOnly(2026, 11, 27) };
        Assert.False(Incidents.StaysPut(index, first.ReportId, Incidents.KeyOf(moved), moved));
        Incidents.Unlink(index, first.ReportId);
        Guid now = Incidents.Link(index, first.ReportId, first.OrganisationId, moved, revision: 2);

        Assert.NotEqual(shared, now); // the incident it left keeps its id, which was named after this report
        var left = index.Incidents.Single(i => i.IncidentId == shared);
        Assert.Equal([second.ReportId], left.Members.Select(m => m.ReportId));
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T20:00:00Z"), left.First); // its span shrinks to what remains
        Assert.Equal(now, Incidents.Link(index, first.ReportId, first.OrganisationId, moved, revision: 2)); // linked again: unchanged
    }

    [Fact]
    public void an_amendment_that_keeps_account_action_and_time_stays_put_and_an_emptied_incident_is_dropped()
    {
        var only = Reported("@steppe_news", "2026-11-20T08:00:00Z");
        var index = new IncidentIndex { Id = Incidents.KeyOf(only.Report) };
        Link(index, only);

        Assert.True(Incidents.StaysPut(index, only.ReportId, Incidents.KeyOf(only.Report), only.Report with { Country = "UZ" }));
        Incidents.Unlink(index, only.ReportId);
        Assert.Empty(index.Incidents);
    }
}
