using System.Security.Claims;
using Marten;
using Mediator;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>Destroys the report's contact key and records the erasure. Idempotent: erasing twice is not an error.</summary>
public sealed record EraseReporterData(Guid ReportId, Guid OrganisationId) : ICommand<bool>;

public sealed class EraseReporterDataHandler(IDocumentSession session, TimeProvider clock) : ICommandHandler<EraseReporterData, bool>
{
    public async ValueTask<bool> Handle(EraseReporterData command, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Report>(command.ReportId, ct);
        if (stream.Aggregate is null || stream.Aggregate.OrganisationId != command.OrganisationId) return false;
        if (stream.Aggregate.ReporterDataErasedAt is not null) return true;

        session.Delete<ReporterKey>(command.ReportId);
        stream.AppendOne(new ReporterDataErased(command.ReportId, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return true;
    }
}

public static class EraseReporterDataEndpoint
{
    public static void MapEraseReporterData(this IEndpointRouteBuilder app) =>
        app.MapDelete("/api/reports/{reportId:guid}/reporter-data",
                async (Guid reportId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                    await mediator.Send(new EraseReporterData(reportId, user.OrganisationId()), ct)
                        ? Results.NoContent()
                        : ReportProblems.NotFound())
            .RequireAuthorization(Roles.Reporter)
            .WithName("EraseReporterData")
            .WithTags("Reports")
            .WithSummary("Erase the reporter's contact data")
            .WithDescription("Destroys the key the contact data was encrypted with. Nobody can read it afterwards; " +
                             "the rest of the report and its history stay.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
