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
}
