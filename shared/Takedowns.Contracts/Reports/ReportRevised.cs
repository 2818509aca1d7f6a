namespace Takedowns.Contracts.Reports;

/// <summary>
/// The reporting organisation amended a report: its classification as it now stands, in full, and the incident it now
/// belongs to (an amendment can move a report to another incident). <paramref name="Revision"/> orders the changes of
/// one report (the submission is revision 1); a consumer applies only a revision newer than the one it holds, so
/// redeliveries and overtaking messages change nothing. The optional fields are as in <see cref="ReportSubmitted"/>. The message id is the id of the Intake event it was made from.
/// </summary>
public sealed record ReportRevised(
    Guid ReportId,
    Guid OrganisationId,
    Platform Platform,
    SubjectType SubjectType,
    string Country,
    TakedownAction Action,
    GroundCategory Category,
    DateOnly OccurredOn,
    bool PublicStatistics,
    Guid IncidentId,
    long Revision,
    DateTimeOffset RevisedAt,
    string? ExternalId = null,
    DateTimeOffset? OccurredAt = null,
    ReportNotice? Notice = null);
