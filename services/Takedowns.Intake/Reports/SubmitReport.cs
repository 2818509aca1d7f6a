using System.Security.Claims;
using System.Security.Cryptography;
using Marten;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Reports;

/// <summary>
/// Stores a new report once per idempotency key. <paramref name="RequestHash"/> is null when a replay under the
/// same key must get the first answer whatever its body (webhooks); otherwise a replay with another body is refused.
/// </summary>
public sealed record SubmitReport(
    Guid OrganisationId,
    string IdempotencyKey,
    string? RequestHash,
    ReportChannel Channel,
    Guid? SourceId,
    ReportDraft Report,
    ReporterContact? Contact = null) : ICommand<SubmitReportResult>;

public abstract record SubmitReportResult
{
    public sealed record Accepted(Guid ReportId, bool Replayed) : SubmitReportResult;
    public sealed record KeyReusedWithOtherBody : SubmitReportResult;
}

/// <summary>Hands the command to the <see cref="ReportWriter"/>, which commits it together with concurrent ones.</summary>
public sealed class SubmitReportHandler(ReportWriter writer) : ICommandHandler<SubmitReport, SubmitReportResult>
{
    public async ValueTask<SubmitReportResult> Handle(SubmitReport command, CancellationToken ct) => await writer.SubmitAsync(command, ct);
}

public sealed record ReportAccepted(Guid ReportId);

public static class SubmitReportEndpoint
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    private const int MaxIdempotencyKeyLength = 255;

    public static void MapSubmitReport(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/reports", Handle)
            .RequireAuthorization(Roles.Reporter)
            .WithName("SubmitReport")
            .WithTags("Reports")
            .WithSummary("Submit a takedown report")
            .WithDescription("Stores the report and answers once it is committed. Repeating a request with the same " +
                             "Idempotency-Key and body returns the same reportId and stores nothing new.")
            .Accepts<ReportInput>("application/json")
            .Produces<ReportAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static async Task<IResult> Handle(
        HttpRequest request,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        ClaimsPrincipal user,
        IMediator mediator,
        TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(idempotencyKey))
            errors.Add(IdempotencyKeyHeader, "Required: a unique value per report, repeated unchanged on retries.");
        else if (idempotencyKey.Length > MaxIdempotencyKeyLength)
            errors.Add(IdempotencyKeyHeader, $"Must be at most {MaxIdempotencyKeyLength} characters.");

        byte[]? body = await JsonBody.ReadBytesAsync(request, ct);
        if (body is null) return JsonBody.TooLarge();

        var report = ReportValidation.Validate(body, clock.GetUtcNow(), out var bodyErrors);
        if (!errors.IsEmpty || report is null)
        {
            foreach (var (field, messages) in bodyErrors.ToDictionary())
                foreach (string m in messages) errors.Add(field, m);
            return errors.ToProblem();
        }

        var organisationId = user.OrganisationId();
        var result = await mediator.Send(new SubmitReport(
            organisationId,
            IdempotencyRecord.ForApi(organisationId, idempotencyKey!),
            Convert.ToHexString(SHA256.HashData(body)),
            ReportChannel.Api,
            SourceId: null,
            report.Draft,
            report.Contact), ct);

        return result switch
        {
            SubmitReportResult.Accepted a => Results.Accepted($"/api/reports/{a.ReportId}", new ReportAccepted(a.ReportId)),
            _ => Results.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Idempotency-Key reused",
                detail: "This Idempotency-Key was already used with a different body. Use a new key for a new report.",
                extensions: new Dictionary<string, object?> { ["field"] = IdempotencyKeyHeader }),
        };
    }
}
