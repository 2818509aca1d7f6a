using Takedowns.Contracts;
using Takedowns.Publishing.Patterns;

namespace Takedowns.Publishing.Tests.Patterns;

public sealed class PublicIncidentTests
{
    private static readonly Guid Incident = Guid.NewGuid();

    private static IncidentReportAdded Added(Guid reportId) =>
        new(Incident, reportId, new DateOnly(2026, 3, 2), "KZ", Platform.YouTube, GroundCategory.Spam);

    private static PublicIncident? Fold(PublicIncident? state, object[] events) => events.Aggregate(state, (s, e) => e switch
    {
        IncidentReportAdded a => s is null ? PublicIncident.Create(a) : PublicIncident.Apply(a, s),
        IncidentReportWithdrawn w => s is null ? PublicIncident.Create(w) : PublicIncident.Apply(w, s),
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

        var withdrawA = PublicIncidentDecisions.Withdraw(Incident, state, a);
        Assert.DoesNotContain(withdrawA, e => e is IncidentUncounted);
        state = Fold(state, withdrawA);
        var withdrawB = PublicIncidentDecisions.Withdraw(Incident, state, b);
        Assert.Contains(withdrawB, e => e is IncidentUncounted);
        state = Fold(state, withdrawB);
        Assert.Null(state!.CountedAs);
        Assert.Empty(PublicIncidentDecisions.Withdraw(Incident, state, b));
    }

    [Fact]
    public void a_retraction_that_overtakes_its_report_keeps_the_report_from_ever_counting()
    {
        Guid a = Guid.NewGuid();
        var state = Fold(null, PublicIncidentDecisions.Withdraw(Incident, null, a));
        Assert.Empty(PublicIncidentDecisions.Add(state, Added(a)));
    }
}
