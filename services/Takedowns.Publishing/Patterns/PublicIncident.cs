using Takedowns.Contracts;

namespace Takedowns.Publishing.Patterns;

// Events of an incident's stream in Publishing (its id is the incident's id).

/// <summary>A report of the incident was counted in.</summary>
public sealed record IncidentReportAdded(Guid IncidentId, Guid ReportId, DateOnly OccurredOn, string Country, Platform Platform, GroundCategory Category);

/// <summary>A report of the incident was retracted by its organisation.</summary>
public sealed record IncidentReportWithdrawn(Guid IncidentId, Guid ReportId);

/// <summary>The incident now counts in its public cell (its first standing report).</summary>
public sealed record IncidentCounted(Guid IncidentId, DateOnly OccurredOn, string Country, Platform Platform, GroundCategory Category);

/// <summary>The incident no longer counts: every report of it was retracted.</summary>
public sealed record IncidentUncounted(Guid IncidentId, DateOnly OccurredOn, string Country, Platform Platform, GroundCategory Category);

/// <summary>An incident as Publishing sees it: which of its reports stand, and whether it counts.</summary>
public sealed record PublicIncident(Guid Id, IReadOnlyList<Guid> Standing, IReadOnlyList<Guid> Withdrawn, IncidentCounted? CountedAs)
{
    public static PublicIncident Create(IncidentReportAdded e) => new(e.IncidentId, [e.ReportId], [], null);

    /// <summary>A retraction can overtake its report on the bus: the report is then known as withdrawn before it arrives.</summary>
    public static PublicIncident Create(IncidentReportWithdrawn e) => new(e.IncidentId, [], [e.ReportId], null);

    public static PublicIncident Apply(IncidentReportAdded e, PublicIncident i) => i with { Standing = [.. i.Standing, e.ReportId] };

    public static PublicIncident Apply(IncidentReportWithdrawn e, PublicIncident i) =>
        i with { Standing = i.Standing.Where(r => r != e.ReportId).ToList(), Withdrawn = [.. i.Withdrawn, e.ReportId] };

    public static PublicIncident Apply(IncidentCounted e, PublicIncident i) => i with { CountedAs = e };

    public static PublicIncident Apply(IncidentUncounted _, PublicIncident i) => i with { CountedAs = null };

    public bool Knows(Guid reportId) => Standing.Contains(reportId) || Withdrawn.Contains(reportId);
}

/// <summary>Pure decisions on an incident; a report seen before changes nothing.</summary>
public static class PublicIncidentDecisions
{
    public static object[] Add(PublicIncident? incident, IncidentReportAdded added)
    {
        if (incident?.Knows(added.ReportId) == true) return [];
        if (incident?.CountedAs is not null) return [added];
        return [added, new IncidentCounted(added.IncidentId, added.OccurredOn, added.Country, added.Platform, added.Category)];
    }

    public static object[] Withdraw(Guid incidentId, PublicIncident? incident, Guid reportId)
    {
        if (incident?.Withdrawn.Contains(reportId) == true) return [];
        var withdrawn = new IncidentReportWithdrawn(incidentId, reportId);
        // Not seen yet (the retraction overtook it): remembered as withdrawn, so it is never counted.
        if (incident is null || !incident.Standing.Contains(reportId)) return [withdrawn];
        return incident.Standing.Count == 1 && incident.CountedAs is { } c
            ? [withdrawn, new IncidentUncounted(c.IncidentId, c.OccurredOn, c.Country, c.Platform, c.Category)]
            : [withdrawn];
    }
}
