using Takedowns.Contracts;

namespace Takedowns.Correlation.Series;

/// <summary>A report of the incident was observed, with the slice it would count the incident in (absent in older streams).</summary>
public sealed record IncidentReportLinked(Guid IncidentId, Guid ReportId, IncidentObserved? As = null);

/// <summary>A report of the incident was amended and stays in it, now with this slice.</summary>
public sealed record IncidentReportRevised(Guid IncidentId, Guid ReportId, IncidentObserved As);

/// <summary>A report of the incident was retracted by its organisation.</summary>
public sealed record IncidentReportWithdrawn(Guid IncidentId, Guid ReportId);

/// <summary>A report left the incident: it was amended into another incident.</summary>
public sealed record IncidentReportRemoved(Guid IncidentId, Guid ReportId);

/// <summary>The incident no longer counts in this slice: its reports were retracted, moved, or amended into another slice.</summary>
public sealed record IncidentUnobserved(
    Guid IncidentId, string Country, Platform Platform, GroundCategory Category, DateOnly OccurredOn, SubjectType SubjectType);

/// <summary>A standing report of an incident and the slice it would count the incident in, where known.</summary>
public sealed record StandingReport(Guid ReportId, IncidentObserved? As);

/// <summary>
/// An incident as Correlation counts it: its standing reports in the order they came, and the slice it counts in,
/// which is the slice of its earliest standing report (none when no report stands).
/// </summary>
public sealed record ObservedIncident(Guid Id, IReadOnlyList<StandingReport> Standing, IReadOnlyList<Guid> Withdrawn, IncidentObserved? CountedAs)
{
    public static ObservedIncident Create(IncidentReportLinked e) => new(e.IncidentId, [new StandingReport(e.ReportId, e.As)], [], null);

    /// <summary>Streams written before reports had their own streams began with a retraction that overtook its report.</summary>
    public static ObservedIncident Create(IncidentReportWithdrawn e) => new(e.IncidentId, [], [e.ReportId], null);

    public static ObservedIncident Apply(IncidentReportLinked e, ObservedIncident i) => i with { Standing = [.. i.Standing, new StandingReport(e.ReportId, e.As)] };

    public static ObservedIncident Apply(IncidentReportRevised e, ObservedIncident i) =>
        i with { Standing = i.Standing.Select(r => r.ReportId == e.ReportId ? new StandingReport(e.ReportId, e.As) : r).ToList() };

    public static ObservedIncident Apply(IncidentReportWithdrawn e, ObservedIncident i) =>
        i with { Standing = i.Standing.Where(r => r.ReportId != e.ReportId).ToList(), Withdrawn = [.. i.Withdrawn, e.ReportId] };

    public static ObservedIncident Apply(IncidentReportRemoved e, ObservedIncident i) =>
        i with { Standing = i.Standing.Where(r => r.ReportId != e.ReportId).ToList() };

    // Older streams linked a report without its slice; the slice the incident was counted in tells it for that report.
    public static ObservedIncident Apply(IncidentObserved e, ObservedIncident i) => i with
    {
        CountedAs = e,
        Standing = i.Standing.Select(r => r.ReportId == e.FirstReportId && r.As is null ? r with { As = e } : r).ToList(),
    };

    public static ObservedIncident Apply(IncidentUnobserved _, ObservedIncident i) => i with { CountedAs = null };

    public bool Holds(Guid reportId) => Standing.Any(r => r.ReportId == reportId);
}

/// <summary>Pure decisions on an incident. Each returns the events to append; a change already made returns none.</summary>
public static class ObservedIncidentDecisions
{
    /// <param name="observed">The slice the report would count the incident in; its FirstReportId is the report.</param>
    public static object[] Link(ObservedIncident? incident, IncidentObserved observed)
    {
        var reportId = observed.FirstReportId;
        if (incident is not null && (incident.Holds(reportId) || incident.Withdrawn.Contains(reportId))) return [];
        var standing = new List<StandingReport>(incident?.Standing ?? []) { new(reportId, observed) };
        return [new IncidentReportLinked(observed.IncidentId, reportId, observed), .. Recount(observed.IncidentId, incident?.CountedAs, standing)];
    }

    public static object[] Revise(ObservedIncident incident, IncidentObserved observed)
    {
        var reportId = observed.FirstReportId;
        if (!incident.Holds(reportId)) return Link(incident, observed);
        var standing = incident.Standing.Select(r => r.ReportId == reportId ? new StandingReport(reportId, observed) : r).ToList();
        if (standing.SequenceEqual(incident.Standing)) return [];
        return [new IncidentReportRevised(incident.Id, reportId, observed), .. Recount(incident.Id, incident.CountedAs, standing)];
    }

    /// <summary>A report leaves the incident: retracted (<paramref name="retracted"/>), or moved elsewhere.</summary>
    public static object[] Remove(ObservedIncident? incident, Guid reportId, bool retracted)
    {
        if (incident is null || !incident.Holds(reportId)) return [];
        object removed = retracted ? new IncidentReportWithdrawn(incident.Id, reportId) : new IncidentReportRemoved(incident.Id, reportId);
        return [removed, .. Recount(incident.Id, incident.CountedAs, incident.Standing.Where(r => r.ReportId != reportId).ToList())];
    }

    /// <summary>Moves the incident's count when its earliest standing report, or that report's slice, changes.</summary>
    private static object[] Recount(Guid incidentId, IncidentObserved? counted, IReadOnlyList<StandingReport> standing)
    {
        var wanted = standing.Select(r => r.As).FirstOrDefault(a => a is not null);
        if (wanted is null && standing.Count > 0) return []; // only reports of older streams stand: the count stays as it was
        if (wanted == counted) return [];
        var events = new List<object>();
        if (counted is not null) events.Add(new IncidentUnobserved(incidentId, counted.Country, counted.Platform, counted.Category, counted.OccurredOn, counted.SubjectType));
        if (wanted is not null) events.Add(wanted);
        return [.. events];
    }
}
