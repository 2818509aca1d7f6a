using System.Security.Claims;
using Marten;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>One event of a report's history, as its organisation sees it. Sealed contact data is never shown here.</summary>
public sealed record HistoryEntry(long Version, string Type, DateTimeOffset At, object Data);

public sealed record ReportHistoryResponse(Guid ReportId, IReadOnlyList<HistoryEntry> Events);

public static class ReportHistoryEndpoint
{
    public static void MapReportHistory(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/reports/{reportId:guid}/history", async (Guid reportId, ClaimsPrincipal user, IQuerySession session, CancellationToken ct) =>
            {
                var report = await session.LoadAsync<Report>(reportId, ct);
                if (report is null || report.OrganisationId != user.OrganisationId()) return ReportProblems.NotFound();
                var events = await session.Events.FetchStreamAsync(reportId, token: ct);
                return Results.Ok(new ReportHistoryResponse(reportId,
                    events.Select(e => new HistoryEntry(e.Version, TypeName(e.Data), e.Timestamp, Shown(e.Data))).ToList()));
            })
            .RequireAuthorization(Roles.Reporter)
            .WithName("GetReportHistory")
            .WithTags("Report lifecycle")
            .WithSummary("The events of one of your reports, oldest first")
            .Produces<ReportHistoryResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>takedown_reported, report_amended, ...</summary>
    private static string TypeName(object data) =>
        string.Concat(data.GetType().Name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static object Shown(object data) => data switch
    {
        TakedownReported r => new
        {
            r.ReportId, r.Channel, r.SourceId, r.ReportedAt, Report = r.Report,
            ReporterContact = r.ReporterContact is null ? null : "sealed",
        },
        _ => data,
    };
}
