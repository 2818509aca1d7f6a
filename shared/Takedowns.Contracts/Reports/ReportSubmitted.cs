namespace Takedowns.Contracts.Reports;

/// <summary>
/// A report was accepted by Intake. Carries only what other services need to count and correlate:
/// never the reporter's contact data. The message id is the id of the Intake event it was made from.
/// <paramref name="PublicStatistics"/>: the reporter consented to the report being counted in anonymised public statistics.
/// <paramref name="IncidentId"/>: the incident the report belongs to; reports of one incident (the same takedown reported
/// by several organisations) share it, and aggregates count it once.
/// <paramref name="ExternalId"/>, <paramref name="OccurredAt"/> (when the time of day is known) and <paramref name="Notice"/>:
/// for the network's analysts, present only when the organisation shares the report with them.
/// <paramref name="Imported"/>: the report came in a bulk import (a backfill), so when it arrived says nothing about how
/// late reports usually arrive.
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
    Guid? IncidentId = null,
    string? ExternalId = null,
    DateTimeOffset? OccurredAt = null,
    ReportNotice? Notice = null,
    bool Imported = false);
