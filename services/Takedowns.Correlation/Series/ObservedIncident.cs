using Takedowns.Contracts;

namespace Takedowns.Correlation.Series;

/// <summary>A report of the incident was observed.</summary>
public sealed record IncidentReportLinked(Guid IncidentId, Guid ReportId);

/// <summary>A report of the incident was retracted by its organisation.</summary>
public sealed record IncidentReportWithdrawn(Guid IncidentId, Guid ReportId);

/// <summary>The incident no longer counts in its series: every report of it was retracted.</summary>
public sealed record IncidentUnobserved(
    Guid IncidentId, string Country, Platform Platform, GroundCategory Category, DateOnly OccurredOn);

/// <summary>An incident as Correlation counts it: its standing reports, and the slice it counts in while one stands.</summary>
public sealed record ObservedIncident(Guid Id, IReadOnlyList<Guid> Standing, IReadOnlyList<Guid> Withdrawn, IncidentObserved? CountedAs)
{
    public static ObservedIncident Create(IncidentReportLinked e) => new(e.IncidentId, [e.ReportId], [], null);

    /// <summary>A retraction can overtake its report on the bus: the report is then known as withdrawn before it arrives.</summary>
    public static ObservedIncident Create(IncidentReportWithdrawn e) => new(e.IncidentId, [], [e.ReportId], null);

    public static ObservedIncident Apply(IncidentReportLinked e, ObservedIncident i) => i with { Standing = [.. i.Standing, e.ReportId] };

    public static ObservedIncident Apply(IncidentReportWithdrawn e, ObservedIncident i) =>
        i with { Standing = i.Standing.Where(r => r != e.ReportId).ToList(), Withdrawn = [.. i.Withdrawn, e.ReportId] };

    public static ObservedIncident Apply(IncidentObserved e, ObservedIncident i) => i with { CountedAs = e };

    public static ObservedIncident Apply(IncidentUnobserved _, ObservedIncident i) => i with { CountedAs = null };
}

/// <summary>Pure decisions on an incident; a report seen before changes nothing.</summary>
public static class ObservedIncidentDecisions
{
    public static object[] Link(ObservedIncident? incident, IncidentObserved observed, Guid reportId)
    {
        if (incident is not null && (incident.Standing.Contains(reportId) || incident.Withdrawn.Contains(reportId))) return [];
        var linked = new IncidentReportLinked(observed.IncidentId, reportId);
        return incident?.CountedAs is not null ? [linked] : [linked, observed];
    }

    public static object[] Withdraw(Guid incidentId, ObservedIncident? incident, Guid reportId)
    {
        if (incident?.Withdrawn.Contains(reportId) == true) return [];
        var withdrawn = new IncidentReportWithdrawn(incidentId, reportId);
        if (incident is null || !incident.Standing.Contains(reportId)) return [withdrawn];
        return incident.Standing.Count == 1 && incident.CountedAs is { } c
            ? [withdrawn, new IncidentUnobserved(c.IncidentId, c.Country, c.Platform, c.Category, c.OccurredOn)]
            : [withdrawn];
    }
}
