using System.Security.Claims;
using Marten;
using Mediator;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

public sealed record AppealRequest(string? FiledOn, string? Note);
public sealed record AppealDecisionRequest(string? Outcome, string? DecidedOn, string? Note);
public sealed record NoteRequest(string? Note);
public sealed record RetractionRequest(string? Reason);

/// <summary>Appeal filed and decided, verification by an analyst, retraction by the reporter: each an event on the report.</summary>
public static class ReportLifecycleEndpoints
{
    private const int MaxNote = 2000;

    public static void MapReportLifecycle(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/reports/{reportId:guid}").WithTags("Report lifecycle");

        reports.MapPost("/appeal", async (Guid reportId, HttpRequest request, ClaimsPrincipal user, IMediator mediator,
                IQuerySession session, ReporterKeys keys, TimeProvider clock, CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<AppealRequest>(request, ct);
                if (problem is not null) return problem;
                var errors = new ValidationErrors();
                var filedOn = QueryDates.Parse(input!.FiledOn, "filedOn", errors) ?? Today(clock);
                string? note = Note(input.Note, "note", errors);
                if (filedOn > Today(clock).AddDays(1)) errors.Add("filedOn", "Must not be in the future.");
                if (!errors.IsEmpty) return errors.ToProblem();
                var result = await mediator.Send(new ChangeReport(reportId, Own(user), (r, now) => ReportDecisions.FileAppeal(r, filedOn, note, now)), ct);
                return await result.ToHttpAsync(session, keys, ct);
            })
            .RequireAuthorization(Roles.Reporter).WithName("FileAppeal").WithSummary("Record that the takedown was appealed")
            .Accepts<AppealRequest>("application/json").Produces<ReportView>().LifecycleProblems();

        reports.MapPost("/appeal/decision", async (Guid reportId, HttpRequest request, ClaimsPrincipal user, IMediator mediator,
                IQuerySession session, ReporterKeys keys, TimeProvider clock, CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<AppealDecisionRequest>(request, ct);
                if (problem is not null) return problem;
                var errors = new ValidationErrors();
                AppealOutcome? outcome = input!.Outcome switch
                {
                    "restored" => AppealOutcome.Restored,
                    "upheld" => AppealOutcome.Upheld,
                    _ => null,
                };
                if (outcome is null) errors.Add("outcome", "Must be one of: restored, upheld.");
                var decidedOn = QueryDates.Parse(input.DecidedOn, "decidedOn", errors);
                if (input.DecidedOn is null) errors.Add("decidedOn", "Required.");
                else if (decidedOn > Today(clock).AddDays(1)) errors.Add("decidedOn", "Must not be in the future.");
                string? note = Note(input.Note, "note", errors);
                if (!errors.IsEmpty) return errors.ToProblem();
                var result = await mediator.Send(new ChangeReport(reportId, Own(user),
                    (r, now) => ReportDecisions.DecideAppeal(r, outcome!.Value, decidedOn!.Value, note, now)), ct);
                return await result.ToHttpAsync(session, keys, ct);
            })
            .RequireAuthorization(Roles.Reporter).WithName("DecideAppeal").WithSummary("Record the platform's decision on the appeal")
            .Accepts<AppealDecisionRequest>("application/json").Produces<ReportView>().LifecycleProblems();

        reports.MapPost("/retraction", async (Guid reportId, HttpRequest request, ClaimsPrincipal user, IMediator mediator,
                IQuerySession session, ReporterKeys keys, CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<RetractionRequest>(request, ct, allowEmpty: true);
                if (problem is not null) return problem;
                var errors = new ValidationErrors();
                string? reason = Note(input?.Reason, "reason", errors);
                if (!errors.IsEmpty) return errors.ToProblem();
                var result = await mediator.Send(new ChangeReport(reportId, Own(user), (r, now) => ReportDecisions.Retract(r, reason, now)), ct);
                return await result.ToHttpAsync(session, keys, ct);
            })
            .RequireAuthorization(Roles.Reporter).WithName("RetractReport").WithSummary("Retract the report")
            .WithDescription("The report stays in the history but no longer counts anywhere and can no longer change.")
            .Accepts<RetractionRequest>("application/json").Produces<ReportView>().LifecycleProblems();

        reports.MapPost("/verification", async (Guid reportId, HttpRequest request, ClaimsPrincipal user, IMediator mediator,
                CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<NoteRequest>(request, ct, allowEmpty: true);
                if (problem is not null) return problem;
                var errors = new ValidationErrors();
                string? note = Note(input?.Note, "note", errors);
                if (!errors.IsEmpty) return errors.ToProblem();
                string analyst = user.Identity?.Name ?? "analyst";
                var result = await mediator.Send(new ChangeReport(reportId, new ReportAccess.NetworkAnalyst(),
                    (r, now) => ReportDecisions.Verify(r, analyst, note, now)), ct);
                return result switch
                {
                    ChangeResult.Done => Results.NoContent(),
                    ChangeResult.Rejected r => ChangeResults.Conflict(r.Reason),
                    _ => ReportProblems.NotFound(),
                };
            })
            .RequireAuthorization(Roles.Analyst).WithName("VerifyReport").WithSummary("Mark the report as verified by an analyst")
            .WithDescription("Analysts of the network may verify any report its organisation shared with the network.")
            .Accepts<NoteRequest>("application/json").Produces(StatusCodes.Status204NoContent).LifecycleProblems();
    }

    private static ReportAccess Own(ClaimsPrincipal user) => new ReportAccess.Organisation(user.OrganisationId());

    private static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private static string? Note(string? value, string field, ValidationErrors errors)
    {
        string? note = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        if (note?.Length > MaxNote) errors.Add(field, $"Must be at most {MaxNote} characters.");
        return note;
    }

    public static RouteHandlerBuilder LifecycleProblems(this RouteHandlerBuilder b) => b
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict);
}
