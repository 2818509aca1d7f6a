using System.Security.Claims;
using Marten;
using Mediator;
using Takedowns.Contracts;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

public sealed record GetReport(Guid ReportId, Guid OrganisationId) : IQuery<ReportView?>;

/// <summary>A report as stored, for its own organisation.</summary>
public sealed record ReportView(
    Guid ReportId,
    string? ExternalId,
    Platform Platform,
    Account Account,
    SubjectType SubjectType,
    string Country,
    TakedownAction Action,
    Ground Ground,
    string OccurredAt,
    ReportStatus Status,
    ReportChannel Channel,
    Guid? SourceId,
    DateTimeOffset ReportedAt,
    DateTimeOffset UpdatedAt)
{
    public static ReportView From(Report r) => new(
        r.Id, r.Content.ExternalId, r.Content.Platform, r.Content.Account, r.Content.SubjectType, r.Content.Country,
        r.Content.Action, r.Content.Ground,
        r.Content.OccurredAt?.ToString("O") ?? r.Content.OccurredOn.ToString("yyyy-MM-dd"),
        r.Status, r.Channel, r.SourceId, r.ReportedAt, r.UpdatedAt);
}

public sealed class GetReportHandler(IQuerySession session) : IQueryHandler<GetReport, ReportView?>
{
    public async ValueTask<ReportView?> Handle(GetReport query, CancellationToken ct)
    {
        var report = await session.LoadAsync<Report>(query.ReportId, ct);
        // Another organisation's report is answered exactly as an unknown one.
        return report is not null && report.OrganisationId == query.OrganisationId ? ReportView.From(report) : null;
    }
}

public static class GetReportEndpoint
{
    public static void MapGetReport(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/reports/{reportId:guid}", async (Guid reportId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetReport(reportId, user.OrganisationId()), ct) is { } view
                    ? Results.Ok(view)
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Report not found"))
            .RequireAuthorization(Roles.Reporter)
            .WithName("GetReport")
            .WithTags("Reports")
            .WithSummary("Read one of your organisation's reports")
            .Produces<ReportView>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
