using Takedowns.Contracts;
using Takedowns.Correlation.Series;

namespace Takedowns.Correlation.Tests.Series;

public sealed class ObservedIncidentTests
{
    private static readonly Guid Incident = Guid.NewGuid();

    private static IncidentObserved As(Guid reportId, string country = "KZ") =>
        new(Incident, reportId, country, Platform.YouTube, GroundCategory.Spam, SubjectType.Journalist, TakedownAction.AccountSuspended, new DateOnly(2026, 3, 2));

    private static ObservedIncident? Fold(ObservedIncident? state, object[] events) => events.Aggregate(state, (s, e) => e switch
    {
        IncidentReportLinked l => s is null ? ObservedIncident.Create(l) : ObservedIncident.Apply(l, s),
        IncidentReportRevised r => ObservedIncident.Apply(r, s!),
        IncidentReportWithdrawn w => ObservedIncident.Apply(w, s!),
        IncidentReportRemoved r => ObservedIncident.Apply(r, s!),
        IncidentObserved o => ObservedIncident.Apply(o, s!),
        IncidentUnobserved u => ObservedIncident.Apply(u, s!),
        _ => throw new ArgumentException(e.GetType().Name),
    });

    [Fact]
    public void an_incident_counts_in_the_slice_of_its_earliest_standing_report()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        var state = Fold(null, ObservedIncidentDecisions.Link(null, As(a)));
        Assert.Equal("KZ", state!.CountedAs!.Country);
        state = Fold(state, ObservedIncidentDecisions.Link(state, As(b, "UZ")));
        Assert.Equal("KZ", state!.CountedAs!.Country);
        Assert.Empty(ObservedIncidentDecisions.Link(state, As(b, "UZ"))); // redelivered

        // The earliest report moves away: the incident now counts where the remaining report says.
        var removed = ObservedIncidentDecisions.Remove(state, a, retracted: false);
        Assert.Equal("KZ", Assert.Single(removed.OfType<IncidentUnobserved>()).Country);
        Assert.Equal("UZ", Assert.Single(removed.OfType<IncidentObserved>()).Country);
        state = Fold(state, removed);

        var revised = ObservedIncidentDecisions.Revise(state!, As(b, "TJ"));
        state = Fold(state, revised);
        Assert.Equal("TJ", state!.CountedAs!.Country);
        Assert.Empty(ObservedIncidentDecisions.Revise(state, As(b, "TJ")));

        var retracted = ObservedIncidentDecisions.Remove(state, b, retracted: true);
        Assert.Equal([typeof(IncidentReportWithdrawn), typeof(IncidentUnobserved)], retracted.Select(e => e.GetType()));
        Assert.Null(Fold(state, retracted)!.CountedAs);
    }

    [Fact]
    public void reports_linked_by_older_streams_keep_the_count_where_it_was()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        // Older streams: linked without a slice, then counted as the first report.
        var state = Fold(null, [new IncidentReportLinked(Incident, a), As(a)]);
        state = Fold(state, [new IncidentReportLinked(Incident, b)]);
        Assert.Equal(a, state!.Standing[0].As!.FirstReportId);

        // The first leaves; the second's slice is unknown, so the count stays rather than guessing.
        Assert.Equal([typeof(IncidentReportRemoved)], ObservedIncidentDecisions.Remove(state, a, retracted: false).Select(e => e.GetType()));
    }

    [Fact]
    public void a_report_accepts_only_newer_revisions_and_nothing_after_its_retraction()
    {
        Guid a = Guid.NewGuid();
        var observed = ObservedReport.Create(new ReportObserved(a, Guid.NewGuid(), "KZ", Platform.YouTube, GroundCategory.Spam,
            SubjectType.Journalist, TakedownAction.AccountSuspended, new DateOnly(2026, 3, 2), DateTimeOffset.UtcNow, Incident));
        Assert.False(ObservedReport.Accepts(observed, 1));
        Assert.True(ObservedReport.Accepts(observed, 2));
        Assert.False(ObservedReport.Accepts(ObservedReport.Create(new ObservedReportRetracted(a)), 1));
    }
}
