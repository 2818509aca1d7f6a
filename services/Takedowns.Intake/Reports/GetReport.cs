using System.Security.Claims;
using Marten;
using Mediator;
using Takedowns.Contracts;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

public sealed record GetReport(Guid ReportId, Guid OrganisationId) : IQuery<ReportView?>;

/// <summary>
/// A report as stored, for its own organisation, with its contact data while it exists. <c>occurredAt</c> and
/// <c>noticedAt</c> read as the reporter gave them (a date, or a date-time in the reporter's own offset);
/// <c>occurredAtUtc</c> and <c>noticedAtUtc</c> give a date-time in UTC, and are absent for a date alone.
/// </summary>
public sealed record ReportView(
    Guid ReportId,
    string? ExternalId,
    Platform Platform,
    Account Account,
    SubjectType SubjectType,
    string Country,
    string? Language,
    long? AudienceSize,
    TakedownAction Action,
    Ground Ground,
    string OccurredAt,
    string? NoticedAt,
    string? OccurredAtUtc,
    string? NoticedAtUtc,
    IReadOnlyList<EvidenceItem> Evidence,
    Consent Consent,
    ReporterContact? ReporterContact,
    bool ReporterDataErased,
    DsaStatement Dsa,
    IReadOnlyList<string> DsaDerivedFields,
    IncidentView? Incident,
    ReportStatus Status,
    ReportChannel Channel,
    Guid? SourceId,
    DateTimeOffset ReportedAt,
    DateTimeOffset UpdatedAt)
{
    public static ReportView From(Report r, ReporterContact? contact, IncidentView? incident = null)
    {
        var c = r.Content;
        var dsa = Reports.Dsa.Derive(c);
        return new ReportView(
            r.Id, c.ExternalId, c.Platform, c.Account, c.SubjectType, c.Country, c.Language, c.AudienceSize, c.Action, c.Ground,
            Moment(c.OccurredOn, c.OccurredAt, c.OccurredAtOffsetMinutes)!, Moment(c.NoticedOn, c.NoticedAt, c.NoticedAtOffsetMinutes),
            c.OccurredAt is { } occurred ? ReporterTime.InUtc(occurred) : null, c.NoticedAt is { } noticed ? ReporterTime.InUtc(noticed) : null,
            c.Evidence ?? [], c.Consent ?? Consent.Default, contact, r.ReporterDataErasedAt is not null,
            dsa.Statement, dsa.DerivedFields, incident, r.Status, r.Channel, r.SourceId, r.ReportedAt, r.UpdatedAt);
    }

    private static string? Moment(DateOnly? day, DateTimeOffset? at, int? offsetMinutes) =>
        at is { } time ? ReporterTime.Local(time, offsetMinutes) : day?.ToString("yyyy-MM-dd");
}

public sealed class GetReportHandler(IQuerySession session, ReporterKeys keys) : IQueryHandler<GetReport, ReportView?>
{
    public async ValueTask<ReportView?> Handle(GetReport query, CancellationToken ct)
    {
        var report = await session.LoadAsync<Report>(query.ReportId, ct);
        // Another organisation's report is answered exactly as an unknown one.
        if (report is null || report.OrganisationId != query.OrganisationId) return null;
        return ReportView.From(report, await ReporterVault.ReadAsync(session, report, keys, ct), await IncidentAsync(session, report.Id, ct));
    }

    /// <summary>How many reports and organisations share the report's incident; null until it is linked (a moment after intake).</summary>
    public static async Task<IncidentView?> IncidentAsync(IQuerySession session, Guid reportId, CancellationToken ct)
    {
        if (await session.LoadAsync<ReportIncident>(reportId, ct) is not { } link) return null;
        var entry = (await session.LoadAsync<IncidentIndex>(link.Key, ct))?.Incidents.FirstOrDefault(i => i.IncidentId == link.IncidentId);
        return entry is null ? null
            : new IncidentView(entry.IncidentId, entry.Members.Count, entry.Members.Select(m => m.OrganisationId).Distinct().Count());
    }
}

public static class GetReportEndpoint
{
    public static void MapGetReport(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/reports/{reportId:guid}", async (Guid reportId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetReport(reportId, user.OrganisationId()), ct) is { } view
                    ? Results.Ok(view)
                    : ReportProblems.NotFound())
            .RequireAuthorization(Roles.Reporter)
            .WithName("GetReport")
            .WithTags("Reports")
            .WithSummary("Read one of your organisation's reports")
            .WithDescription("Includes the reporter's contact data until it is erased, and the DSA statement completed from " +
                             "the action and ground (dsaDerivedFields names what was derived).")
            .Produces<ReportView>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
}

public static class ReportProblems
{
    public static IResult NotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Report not found");
}
