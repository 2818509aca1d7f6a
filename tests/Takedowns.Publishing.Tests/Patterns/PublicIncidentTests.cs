using Takedowns.Contracts;
using Takedowns.Publishing.Patterns;

namespace Takedowns.Publishing.Tests.Patterns;

public sealed class PublicIncidentTests
{
    private static readonly Guid Incident = Guid.NewGuid();

    private static IncidentReportAdded Added(Guid reportId, string country = "KZ", Guid? incident = null) =>
        new(incident ?? Incident, reportId, new DateOnly(2026, 3, 2), country, Platform.YouTube, GroundCategory.Spam);

    private static PublicIncident? Fold(PublicIncident? state, object[] events) => events.Aggregate(state, (s, e) => e switch
    {
        IncidentReportAdded a => s is null ? PublicIncident.Create(a) : PublicIncident.Apply(a, s),
        IncidentReportRevised r => PublicIncident.Apply(r, s!),
        IncidentReportWithdrawn w => s is null ? PublicIncident.Create(w) : PublicIncident.Apply(w, s),
        IncidentReportRemoved r => PublicIncident.Apply(r, s!),
        IncidentCounted c => PublicIncident.Apply(c, s!),
        IncidentUncounted u => PublicIncident.Apply(u, s!),
        _ => throw new ArgumentException(e.GetType().Name),
    });

    [Fact]
    public void an_incident_counts_once_while_any_of_its_reports_stands()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        var first = PublicIncidentDecisions.Add(null, Added(a));
        Assert.Contains(first, e => e is IncidentCounted);
        var state = Fold(null, first);
        var second = PublicIncidentDecisions.Add(state, Added(b));
        Assert.DoesNotContain(second, e => e is IncidentCounted);
        state = Fold(state, second);
        Assert.Empty(PublicIncidentDecisions.Add(state, Added(a))); // redelivered

        var withdrawA = PublicIncidentDecisions.Remove(state, a, retracted: true);
        Assert.DoesNotContain(withdrawA, e => e is IncidentUncounted);
        state = Fold(state, withdrawA);
        var withdrawB = PublicIncidentDecisions.Remove(state, b, retracted: true);
        Assert.Contains(withdrawB, e => e is IncidentUncounted);
        state = Fold(state, withdrawB);
        Assert.Null(state!.CountedAs);
        Assert.Empty(PublicIncidentDecisions.Remove(state, b, retracted: true));
    }

    [Fact]
    public void amending_the_earliest_report_into_another_cell_moves_the_incident_there()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        var state = Fold(null, PublicIncidentDecisions.Add(null, Added(a)));
        state = Fold(state, PublicIncidentDecisions.Add(state, Added(b)));

        var revised = PublicIncidentDecisions.Revise(state!, Added(a, country: "UZ"));

        Assert.Equal(3, revised.Length);
        Assert.Equal("KZ", Assert.Single(revised.OfType<IncidentUncounted>()).Country);
        Assert.Equal("UZ", Assert.Single(revised.OfType<IncidentCounted>()).Country);
        state = Fold(state, revised);
        Assert.Equal("UZ", state!.CountedAs!.Country);
        Assert.Empty(PublicIncidentDecisions.Revise(state, Added(a, country: "UZ"))); // the same amendment again
    }

    [Fact]
    public void amending_a_later_report_of_the_incident_leaves_the_count_where_it_is()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        var state = Fold(null, PublicIncidentDecisions.Add(null, Added(a)));
        state = Fold(state, PublicIncidentDecisions.Add(state, Added(b)));

        var revised = PublicIncidentDecisions.Revise(state!, Added(b, country: "UZ"));

        Assert.IsType<IncidentReportRevised>(Assert.Single(revised));
        Assert.Equal("KZ", Fold(state, revised)!.CountedAs!.Country);
    }

    [Fact]
    public void a_report_moved_out_of_its_incident_uncounts_it_when_it_was_the_last_and_counts_the_other()
    {
        Guid a = Guid.NewGuid(), other = Guid.NewGuid();
        var left = Fold(null, PublicIncidentDecisions.Add(null, Added(a)));

        var removed = PublicIncidentDecisions.Remove(left, a, retracted: false);
        var added = PublicIncidentDecisions.Add(null, Added(a, country: "UZ", incident: other));

        Assert.Equal([typeof(IncidentReportRemoved), typeof(IncidentUncounted)], removed.Select(e => e.GetType()));
        Assert.Empty(Fold(left, removed)!.Withdrawn); // moved, not retracted: it may come back
        Assert.Equal("UZ", Assert.Single(added.OfType<IncidentCounted>()).Country);
    }

    [Fact]
    public void a_report_accepts_only_newer_revisions_and_nothing_after_its_retraction()
    {
        Guid a = Guid.NewGuid();
        Assert.True(PublicReport.Accepts(null, 1));
        var placed = PublicReport.Create(new PublicReportPlaced(a, 3, Incident));
        Assert.False(PublicReport.Accepts(placed, 3));
        Assert.False(PublicReport.Accepts(placed, 2));
        Assert.True(PublicReport.Accepts(placed, 4));

        // A retraction that overtakes its report keeps the report from ever counting.
        var retracted = PublicReport.Create(new PublicReportRetracted(a));
        Assert.False(PublicReport.Accepts(retracted, 1));
        Assert.False(PublicReport.Accepts(PublicReport.Apply(new PublicReportRetracted(a), placed), 9));
    }
}
