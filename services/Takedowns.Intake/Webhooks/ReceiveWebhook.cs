using Marten;
using Mediator;
using Microsoft.Net.Http.Headers;
using Takedowns.Intake.Reports;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Webhooks;

public static class ReceiveWebhookEndpoint
{
    public static void MapReceiveWebhook(this IEndpointRouteBuilder app) =>
        app.MapPost("/webhooks/{sourceId:guid}", Handle)
            .AllowAnonymous() // the signature is the credential
            .WithName("ReceiveWebhook")
            .WithTags("Webhooks")
            .WithSummary("Receive a report signed per Standard Webhooks v1")
            .WithDescription("Headers webhook-id, webhook-timestamp (unix seconds, at most 5 minutes off) and webhook-signature " +
                             "(space-separated v1,<base64> entries). The same webhook-id again returns the same reportId.")
            // JSON, checked in the handler once the signature is: routing's own refusal of another type would come first,
            // and as an anonymous request it was answered 401, as if the signature were wrong.
            .Accepts<ReportInput>("application/json", "*/*")
            .Produces<ReportAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static async Task<IResult> Handle(
        Guid sourceId, HttpRequest request, WebhookSourceCache sources, SecretProtector protector, IMediator mediator, TimeProvider clock,
        CancellationToken ct)
    {
        byte[]? body = await JsonBody.ReadBytesAsync(request, ct);
        if (body is null) return JsonBody.TooLarge();

        var source = await sources.GetAsync(sourceId, ct);
        string? webhookId = request.Headers[WebhookSignature.IdHeader];
        var now = clock.GetUtcNow();
        var outcome = source is null
            ? WebhookSignature.Outcome.NoValidSignature // an unknown source looks exactly like a bad signature
            : WebhookSignature.Verify(protector.UnprotectAll(source.Id, source.SecretsValidAt(now)), webhookId, request.Headers[WebhookSignature.TimestampHeader],
                request.Headers[WebhookSignature.SignatureHeader], body, now);
        if (outcome != WebhookSignature.Outcome.Valid) return Unauthorized(outcome);
        if (!IsJson(request.ContentType))
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported payload type",
                detail: "Send the payload as application/json.", extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" });

        if (source!.Mapping is { Mode: MappingMode.Mapped } mapping)
        {
            var (mapped, failure) = PayloadMappings.Apply(mapping, body);
            if (failure is not null)
                return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The payload does not fit this source's mapping",
                    detail: failure.Message, extensions: new Dictionary<string, object?> { ["field"] = failure.Field, ["pointer"] = failure.Pointer });
            body = mapped!;
        }
        var report = ReportValidation.Validate(body, now, out var errors);
        if (report is null) return errors.ToProblem();

        var result = await mediator.Send(new SubmitReport(
            source.OrganisationId,
            IdempotencyRecord.ForWebhook(source.Id, webhookId!),
            RequestHash: null,
            ReportChannel.Webhook,
            source.Id,
            report.Draft,
            report.Contact), ct);
        var accepted = (SubmitReportResult.Accepted)result;
        return Results.Accepted($"/api/reports/{accepted.ReportId}", new ReportAccepted(accepted.ReportId));
    }

    /// <summary>application/json or a type of its family (application/merge-patch+json); none given is taken as JSON, as before.</summary>
    private static bool IsJson(string? contentType) =>
        string.IsNullOrEmpty(contentType)
        || MediaTypeHeaderValue.TryParse(contentType, out var type) && type.Type.Equals("application", StringComparison.OrdinalIgnoreCase)
           && (type.SubType.Equals("json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static IResult Unauthorized(WebhookSignature.Outcome outcome) => Results.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Webhook signature not accepted",
        detail: outcome switch
        {
            WebhookSignature.Outcome.MissingHeaders => "The webhook-id, webhook-timestamp and webhook-signature headers are required.",
            WebhookSignature.Outcome.BadTimestamp => "webhook-timestamp must be unix seconds.",
            WebhookSignature.Outcome.StaleTimestamp => "webhook-timestamp is more than 5 minutes away from now.",
            _ => "No webhook-signature entry matches this source's secret.",
        });
}
