using Takedowns.Contracts;
using Takedowns.Contracts.Reports;

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
    Guid? IncidentId = null,
    bool Imported = false,
    string? ExternalId = null,
    DateTimeOffset? OccurredAt = null,
    ReportNotice? Notice = null)
{
    // Events stored before times were normalised may carry the reporter's offset; campaign detection writes these times
    // to PostgreSQL, which takes UTC only, so they are read back in UTC.
    public DateTimeOffset ReportedAt { get; init; } = ReportedAt.ToUniversalTime();
    public DateTimeOffset? OccurredAt { get; init; } = OccurredAt?.ToUniversalTime();
}

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

/// <summary>The report was amended: its classification and incident as of <paramref name="Revision"/>.</summary>
public sealed record ObservedReportRevised(
    Guid ReportId,
    long Revision,
    string Country,
    Platform Platform,
    GroundCategory Category,
    SubjectType SubjectType,
    TakedownAction Action,
    DateOnly OccurredOn,
    Guid IncidentId,
    string? ExternalId = null,
    DateTimeOffset? OccurredAt = null,
    ReportNotice? Notice = null)
{
    // As in ReportObserved: read back in UTC whatever offset it was stored with.
    public DateTimeOffset? OccurredAt { get; init; } = OccurredAt?.ToUniversalTime();
}

/// <summary>The report was retracted: it never counts again, whatever arrives after.</summary>
public sealed record ObservedReportRetracted(Guid ReportId);

/// <summary>
/// What Correlation knows of one report: the newest revision it applied and the incident it belongs to. Messages about
/// a report can arrive twice or out of order; only a newer revision changes anything, and a retraction ends it.
/// </summary>
public sealed record ObservedReport(Guid Id, long Revision, Guid? IncidentId, bool Retracted)
{
    public static ObservedReport Create(ReportObserved e) => new(e.ReportId, 1, e.IncidentId, false);

    public static ObservedReport Create(ObservedReportRetracted e) => new(e.ReportId, 0, null, true);

    public static ObservedReport Create(ObservedReportRevised e) => new(e.ReportId, e.Revision, e.IncidentId, false);

    public static ObservedReport Apply(ObservedReportRevised e, ObservedReport r) => r with { Revision = e.Revision, IncidentId = e.IncidentId };

    public static ObservedReport Apply(ObservedReportRetracted _, ObservedReport r) => r with { IncidentId = null, Retracted = true };

    /// <summary>Whether a revision of the report is news: not older than what is known, and the report not retracted.</summary>
    public static bool Accepts(ObservedReport? known, long revision) => known is null || (!known.Retracted && revision > known.Revision);
}
