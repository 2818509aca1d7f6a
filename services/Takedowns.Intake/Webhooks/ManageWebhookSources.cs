using Marten;
using Mediator;
using Takedowns.Intake.Organisations;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Webhooks;

public sealed record WebhookSourceListing(Guid SourceId, string Name, DateTimeOffset AddedAt, DateTimeOffset? RevokedAt,
    int ValidSecrets, DateTimeOffset? PreviousSecretValidUntil, PayloadMapping Mapping);

public sealed record WebhookSourceList(IReadOnlyList<WebhookSourceListing> Items);

/// <summary>The new secret, shown once, and until when the previous one still verifies.</summary>
public sealed record SecretRotatedResponse(Guid SourceId, string Secret, DateTimeOffset PreviousSecretValidUntil);

public sealed record RotateWebhookSecret(Guid OrganisationId, Guid SourceId, TimeSpan Overlap) : ICommand<SecretRotatedResponse?>;
public sealed record RevokeWebhookSource(Guid OrganisationId, Guid SourceId) : ICommand<bool>;
public sealed record SetWebhookMapping(Guid OrganisationId, Guid SourceId, PayloadMapping Mapping) : ICommand<bool>;

public sealed class WebhookSourceHandlers(IDocumentSession session, TimeProvider clock, WebhookSourceCache cache, SecretProtector protector) :
    ICommandHandler<RotateWebhookSecret, SecretRotatedResponse?>,
    ICommandHandler<RevokeWebhookSource, bool>,
    ICommandHandler<SetWebhookMapping, bool>
{
    public async ValueTask<SecretRotatedResponse?> Handle(RotateWebhookSecret command, CancellationToken ct)
    {
        var (organisation, source) = await LoadAsync(command.OrganisationId, command.SourceId, ct);
        if (organisation is null || source is not { RevokedAt: null }) return null;
        var now = clock.GetUtcNow();
        var until = now + command.Overlap;
        string secret = WebhookSignature.NewSecret();
        // Only the newest previous secret overlaps; any older one ends now.
        var kept = source.Secrets.Where(s => s.ValidUntil is null || s.ValidUntil > now)
            .Select(s => s with { ValidUntil = s.ValidUntil is null ? until : (s.ValidUntil < until ? s.ValidUntil : until) })
            .Where(s => s.ValidUntil > now)
            .Append(new SourceSecret(protector.Protect(source.Id, secret), now))
            .ToList();
        session.Store(source with { Secrets = kept });
        organisation.AppendOne(new WebhookSecretRotated(command.OrganisationId, source.Id, now, until));
        await session.SaveChangesAsync(ct);
        cache.Forget(source.Id);
        return new SecretRotatedResponse(source.Id, secret, until);
    }

    public async ValueTask<bool> Handle(RevokeWebhookSource command, CancellationToken ct)
    {
        var (organisation, source) = await LoadAsync(command.OrganisationId, command.SourceId, ct);
        if (organisation is null || source is null) return false;
        if (source.RevokedAt is not null) return true;
        var now = clock.GetUtcNow();
        // The secrets go with the source: a revoked source can never verify again.
        session.Store(source with { RevokedAt = now, Secrets = [] });
        organisation.AppendOne(new WebhookSourceRevoked(command.OrganisationId, source.Id, now));
        await session.SaveChangesAsync(ct);
        cache.Forget(source.Id);
        return true;
    }

    public async ValueTask<bool> Handle(SetWebhookMapping command, CancellationToken ct)
    {
        var (organisation, source) = await LoadAsync(command.OrganisationId, command.SourceId, ct);
        if (organisation is null || source is not { RevokedAt: null }) return false;
        var now = clock.GetUtcNow();
        session.Store(source with { Mapping = command.Mapping });
        organisation.AppendOne(new WebhookMappingSet(command.OrganisationId, source.Id, command.Mapping, now));
        await session.SaveChangesAsync(ct);
        cache.Forget(source.Id);
        return true;
    }

    private async Task<(JasperFx.Events.IEventStream<Organisation>?, WebhookSource?)> LoadAsync(Guid organisationId, Guid sourceId, CancellationToken ct)
    {
        var organisation = await session.Events.FetchForWriting<Organisation>(organisationId, ct);
        var source = await session.LoadAsync<WebhookSource>(sourceId, ct);
        return organisation.Aggregate is null || source is null || source.OrganisationId != organisationId
            ? (null, null)
            : (organisation, source);
    }
}

public static class ManageWebhookSourceEndpoints
{
    public static void MapWebhookSourceManagement(this IEndpointRouteBuilder app)
    {
        var sources = app.MapGroup("/api/admin/organisations/{organisationId:guid}/webhook-sources")
            .RequireAuthorization(Roles.Admin).WithTags("Administration");

        sources.MapGet("", async (Guid organisationId, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
            {
                if (await session.Events.FetchStreamStateAsync(organisationId, ct) is null) return ApiKeyEndpoints.OrganisationNotFound();
                var now = clock.GetUtcNow();
                var list = await session.Query<WebhookSource>().Where(s => s.OrganisationId == organisationId).OrderBy(s => s.AddedAt).ToListAsync(ct);
                return Results.Ok(new WebhookSourceList(list.Select(s => new WebhookSourceListing(
                    s.Id, s.Name, s.AddedAt, s.RevokedAt, s.SecretsValidAt(now).Count,
                    s.Secrets.Where(x => x.ValidUntil > now).Max(x => x.ValidUntil), s.Mapping ?? PayloadMapping.Native)).ToList()));
            })
            .WithName("ListWebhookSources").WithSummary("List an organisation's webhook sources (never their secrets)")
            .Produces<WebhookSourceList>().AdminProblems();

        sources.MapPost("/{sourceId:guid}/secret-rotation", async (Guid organisationId, Guid sourceId, HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                var overlap = ApiKeyEndpoints.Overlap(request, errors);
                if (!errors.IsEmpty) return errors.ToProblem();
                return await mediator.Send(new RotateWebhookSecret(organisationId, sourceId, overlap), ct) is { } rotated
                    ? Results.Created($"/api/admin/organisations/{organisationId}/webhook-sources/{sourceId}", rotated)
                    : SourceNotFound();
            })
            .WithName("RotateWebhookSecret")
            .WithSummary("Issue a new signing secret; the previous one still verifies for overlapHours (default 24)")
            .Produces<SecretRotatedResponse>(StatusCodes.Status201Created).AdminProblems();

        sources.MapDelete("/{sourceId:guid}", async (Guid organisationId, Guid sourceId, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new RevokeWebhookSource(organisationId, sourceId), ct) ? Results.NoContent() : SourceNotFound())
            .WithName("RevokeWebhookSource").WithSummary("Revoke a webhook source: its webhooks are refused from now on")
            .Produces(StatusCodes.Status204NoContent).AdminProblems();

        sources.MapPut("/{sourceId:guid}/mapping", async (Guid organisationId, Guid sourceId, HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<PayloadMapping>(request, ct);
                if (problem is not null) return problem;
                var errors = new ValidationErrors();
                var mapping = PayloadMappings.Validate(input, errors);
                if (mapping is null) return errors.ToProblem();
                return await mediator.Send(new SetWebhookMapping(organisationId, sourceId, mapping), ct) ? Results.Ok(mapping) : SourceNotFound();
            })
            .WithName("SetWebhookMapping")
            .WithSummary("Declare how this source's payloads become reports: native, or mapped from JSON Pointers")
            .Accepts<PayloadMapping>("application/json").Produces<PayloadMapping>().AdminProblems();
    }

    private static IResult SourceNotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhook source not found");
}
