using Takedowns.Contracts;

namespace Takedowns.Correlation.Series;

/// <summary>
/// Correlation saw a report. The first event of a stream whose id is the report's id, so a second delivery of
/// the same report collides with the stream and changes nothing.
/// </summary>
public sealed record ReportObserved(
    Guid ReportId,
    Guid OrganisationId,
    string Country,
    Platform Platform,
    GroundCategory Category,
    SubjectType SubjectType,
    TakedownAction Action,
    DateOnly OccurredOn,
    DateTimeOffset ReportedAt,
    Guid? IncidentId = null);

/// <summary>
/// The first report of an incident. The first event of a stream whose id is the incident's id, so further reports of the
/// same takedown (by other organisations) do not count it again.
/// </summary>
public sealed record IncidentObserved(
    Guid IncidentId,
    Guid FirstReportId,
    string Country,
    Platform Platform,
    GroundCategory Category,
    SubjectType SubjectType,
    TakedownAction Action,
    DateOnly OccurredOn);
