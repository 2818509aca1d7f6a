using Marten;
using Mediator;
using Takedowns.Intake.Organisations;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Webhooks;

/// <summary>
/// A sender of signed webhooks for one organisation, with the secrets it may sign with. The secrets are credentials,
/// kept as a document (replaceable, erasable), never in the event history.
/// </summary>
public sealed record WebhookSource(
    Guid Id, Guid OrganisationId, string Name, IReadOnlyList<SourceSecret> Secrets, DateTimeOffset AddedAt,
    DateTimeOffset? RevokedAt = null, PayloadMapping? Mapping = null)
{
    /// <summary>The secrets a signature may be made with now (still protected): the current one, and the previous one during its overlap.</summary>
    public IReadOnlyList<string> SecretsValidAt(DateTimeOffset now) =>
        RevokedAt is not null ? [] : Secrets.Where(s => s.ValidUntil is null || s.ValidUntil > now).Select(s => s.Secret).ToList();
}

/// <summary>A signing secret, encrypted by <see cref="SecretProtector"/>.</summary>
public sealed record SourceSecret(string Secret, DateTimeOffset AddedAt, DateTimeOffset? ValidUntil = null);

public sealed record AddWebhookSource(Guid OrganisationId, string Name) : ICommand<WebhookSourceAddedResponse?>;

/// <summary>The secret is shown here once.</summary>
public sealed record WebhookSourceAddedResponse(Guid SourceId, string Secret);

public sealed class AddWebhookSourceHandler(IDocumentSession session, TimeProvider clock, SecretProtector protector)
    : ICommandHandler<AddWebhookSource, WebhookSourceAddedResponse?>
{
    public async ValueTask<WebhookSourceAddedResponse?> Handle(AddWebhookSource command, CancellationToken ct)
    {
        var organisation = await session.Events.FetchForWriting<Organisation>(command.OrganisationId, ct);
        if (organisation.Aggregate is null) return null;

        var now = clock.GetUtcNow();
        var sourceId = Guid.CreateVersion7(now);
        string secret = WebhookSignature.NewSecret();
        organisation.AppendOne(new WebhookSourceAdded(command.OrganisationId, sourceId, command.Name, now));
        session.Store(new WebhookSource(sourceId, command.OrganisationId, command.Name, [new SourceSecret(protector.Protect(sourceId, secret), now)], now));
        await session.SaveChangesAsync(ct);
        return new WebhookSourceAddedResponse(sourceId, secret);
    }
}

public static class WebhookSourceEndpoints
{
    public static void MapWebhookSources(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/admin/organisations/{organisationId:guid}/webhook-sources",
                async (Guid organisationId, HttpRequest request, IMediator mediator, CancellationToken ct) =>
                {
                    var (name, problem) = await OrganisationEndpoints.ReadName(request, ct);
                    if (problem is not null) return problem;
                    return await mediator.Send(new AddWebhookSource(organisationId, name!), ct) is { } added
                        ? Results.Created($"/api/admin/organisations/{organisationId}/webhook-sources/{added.SourceId}", added)
                        : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Organisation not found");
                })
            .RequireAuthorization(Roles.Admin)
            .WithName("AddWebhookSource")
            .WithTags("Administration")
            .WithSummary("Add a webhook source to an organisation and issue its signing secret")
            .Accepts<RegisterOrganisationRequest>("application/json")
            .Produces<WebhookSourceAddedResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
