namespace Takedowns.Contracts.Reports;

/// <summary>
/// A report was accepted by Intake. Carries only what other services need to count and correlate:
/// never the reporter's contact data. The message id is the id of the Intake event it was made from.
/// <paramref name="PublicStatistics"/>: the reporter consented to the report being counted in anonymised public statistics.
/// <paramref name="IncidentId"/>: the incident the report belongs to; reports of one incident (the same takedown reported
/// by several organisations) share it, and aggregates count it once.
/// </summary>
public sealed record ReportSubmitted(
    Guid ReportId,
    Guid OrganisationId,
    Platform Platform,
    SubjectType SubjectType,
    string Country,
    TakedownAction Action,
    GroundCategory Category,
    DateOnly OccurredOn,
    DateTimeOffset ReportedAt,
    bool PublicStatistics = true,
    Guid? IncidentId = null);
