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
    DateTimeOffset ReportedAt);
