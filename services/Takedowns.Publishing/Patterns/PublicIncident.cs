using Takedowns.Contracts;

namespace Takedowns.Publishing.Patterns;

// Events of an incident's stream in Publishing (its id is the incident's id).

/// <summary>A report of the incident was counted in, with the cell it would count the incident in.</summary>
public sealed record IncidentReportAdded(Guid IncidentId, Guid ReportId, DateOnly OccurredOn, string Country, Platform Platform, GroundCategory Category,
    SubjectType? SubjectType = null, TakedownAction? Action = null);

/// <summary>A report of the incident was amended and stays in it, now with this cell.</summary>
public sealed record IncidentReportRevised(Guid IncidentId, Guid ReportId, DateOnly OccurredOn, string Country, Platform Platform, GroundCategory Category,
    SubjectType? SubjectType = null, TakedownAction? Action = null);

/// <summary>A report of the incident was retracted by its organisation.</summary>
public sealed record IncidentReportWithdrawn(Guid IncidentId, Guid ReportId);

/// <summary>A report left the incident: amended into another incident, or no longer consented to public statistics.</summary>
public sealed record IncidentReportRemoved(Guid IncidentId, Guid ReportId);

/// <summary>The incident now counts in this public cell (the cell of its earliest standing report).</summary>
public sealed record IncidentCounted(Guid IncidentId, DateOnly OccurredOn, string Country, Platform Platform, GroundCategory Category,
    SubjectType? SubjectType = null, TakedownAction? Action = null);

/// <summary>The incident no longer counts in this cell: its reports were retracted, moved, or amended into another cell.</summary>
public sealed record IncidentUncounted(Guid IncidentId, DateOnly OccurredOn, string Country, Platform Platform, GroundCategory Category,
    SubjectType? SubjectType = null, TakedownAction? Action = null);

/// <summary>
/// An incident as Publishing sees it: its standing reports in the order they came, and the cell it counts in, which is
/// the cell of its earliest standing report (none when no report stands).
/// </summary>
public sealed record PublicIncident(Guid Id, IReadOnlyList<IncidentReportAdded> Standing, IReadOnlyList<Guid> Withdrawn, IncidentCounted? CountedAs)
{
    public static PublicIncident Create(IncidentReportAdded e) => new(e.IncidentId, [e], [], null);

    /// <summary>Streams written before reports had their own streams began with a retraction that overtook its report.</summary>
    public static PublicIncident Create(IncidentReportWithdrawn e) => new(e.IncidentId, [], [e.ReportId], null);

    public static PublicIncident Apply(IncidentReportAdded e, PublicIncident i) => i with { Standing = [.. i.Standing, e] };

    public static PublicIncident Apply(IncidentReportRevised e, PublicIncident i) => i with
    {
        Standing = i.Standing.Select(r => r.ReportId == e.ReportId
            ? new IncidentReportAdded(e.IncidentId, e.ReportId, e.OccurredOn, e.Country, e.Platform, e.Category, e.SubjectType, e.Action)
            : r).ToList(),
    };

    public static PublicIncident Apply(IncidentReportWithdrawn e, PublicIncident i) =>
        i with { Standing = i.Standing.Where(r => r.ReportId != e.ReportId).ToList(), Withdrawn = [.. i.Withdrawn, e.ReportId] };

    public static PublicIncident Apply(IncidentReportRemoved e, PublicIncident i) =>
        i with { Standing = i.Standing.Where(r => r.ReportId != e.ReportId).ToList() };

    public static PublicIncident Apply(IncidentCounted e, PublicIncident i) => i with { CountedAs = e };

    public static PublicIncident Apply(IncidentUncounted _, PublicIncident i) => i with { CountedAs = null };

    public bool Holds(Guid reportId) => Standing.Any(r => r.ReportId == reportId);
}

/// <summary>Pure decisions on an incident. Each returns the events to append; a change already made returns none.</summary>
public static class PublicIncidentDecisions
{
    public static object[] Add(PublicIncident? incident, IncidentReportAdded added)
    {
        if (incident is not null && (incident.Holds(added.ReportId) || incident.Withdrawn.Contains(added.ReportId))) return [];
        return [added, .. Recount(added.IncidentId, incident?.CountedAs, [.. incident?.Standing ?? [], added])];
    }

    public static object[] Revise(PublicIncident incident, IncidentReportAdded revised)
    {
        if (!incident.Holds(revised.ReportId)) return Add(incident, revised);
        var standing = incident.Standing.Select(r => r.ReportId == revised.ReportId ? revised : r).ToList();
        if (standing.SequenceEqual(incident.Standing)) return [];
        return [new IncidentReportRevised(revised.IncidentId, revised.ReportId, revised.OccurredOn, revised.Country, revised.Platform, revised.Category, revised.SubjectType, revised.Action),
            .. Recount(incident.Id, incident.CountedAs, standing)];
    }

    /// <summary>A report leaves the incident: retracted (<paramref name="retracted"/>), or moved elsewhere.</summary>
    public static object[] Remove(PublicIncident? incident, Guid reportId, bool retracted)
    {
        if (incident is null || !incident.Holds(reportId)) return [];
        object removed = retracted ? new IncidentReportWithdrawn(incident.Id, reportId) : new IncidentReportRemoved(incident.Id, reportId);
        return [removed, .. Recount(incident.Id, incident.CountedAs, incident.Standing.Where(r => r.ReportId != reportId).ToList())];
    }

    /// <summary>Moves the incident's count when its earliest standing report, or that report's cell, changes.</summary>
    private static object[] Recount(Guid incidentId, IncidentCounted? counted, IReadOnlyList<IncidentReportAdded> standing)
    {
        var first = standing.FirstOrDefault();
        var wanted = first is null ? null : new IncidentCounted(incidentId, first.OccurredOn, first.Country, first.Platform, first.Category, first.SubjectType, first.Action);
        if (wanted == counted) return [];
        var events = new List<object>();
        if (counted is not null) events.Add(new IncidentUncounted(incidentId, counted.OccurredOn, counted.Country, counted.Platform, counted.Category, counted.SubjectType, counted.Action));
        if (wanted is not null) events.Add(wanted);
        return [.. events];
    }
}
