using Marten;
using Mediator;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Organisations;

public sealed record IssueApiKeyRequest(string[]? Roles);

/// <summary>Shown once: the key itself. Later listings show only its prefix.</summary>
public sealed record ApiKeyIssuedResponse(Guid KeyId, string ApiKey, string[] Roles);

public sealed record ApiKeyListing(Guid KeyId, string Prefix, string[] Roles, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? ExpiresAt);

public sealed record ApiKeyList(IReadOnlyList<ApiKeyListing> Items);

public sealed record IssueApiKey(Guid OrganisationId, string[] Roles, Guid? Replaces = null, TimeSpan? Overlap = null)
    : ICommand<ApiKeyIssuedResponse?>;

public sealed record RevokeApiKey(Guid OrganisationId, Guid KeyId) : ICommand<bool>;

public sealed class ApiKeyHandlers(IDocumentSession session, TimeProvider clock)
    : ICommandHandler<IssueApiKey, ApiKeyIssuedResponse?>, ICommandHandler<RevokeApiKey, bool>
{
    public async ValueTask<ApiKeyIssuedResponse?> Handle(IssueApiKey command, CancellationToken ct)
    {
        var organisation = await session.Events.FetchForWriting<Organisation>(command.OrganisationId, ct);
        if (organisation.Aggregate is null) return null;
        var now = clock.GetUtcNow();
        string[] roles = command.Roles;
        if (command.Replaces is { } oldId)
        {
            // Rotation: the new key carries the old one's roles; the old one keeps working for the overlap.
            var old = await session.LoadAsync<ApiKey>(oldId, ct);
            if (old is null || old.OrganisationId != command.OrganisationId || !old.IsUsableAt(now)) return null;
            roles = old.Roles;
            var until = now + (command.Overlap ?? TimeSpan.Zero);
            session.Store(old with { ExpiresAt = until });
            organisation.AppendOne(new ApiKeyRevoked(command.OrganisationId, oldId, now, until));
        }
        var (key, plaintext) = ApiKey.Issue(command.OrganisationId, roles, now);
        organisation.AppendOne(new ApiKeyIssued(command.OrganisationId, key.Id, key.Roles, now));
        session.Store(key);
        await session.SaveChangesAsync(ct);
        return new ApiKeyIssuedResponse(key.Id, plaintext, key.Roles);
    }

    public async ValueTask<bool> Handle(RevokeApiKey command, CancellationToken ct)
    {
        var organisation = await session.Events.FetchForWriting<Organisation>(command.OrganisationId, ct);
        var key = await session.LoadAsync<ApiKey>(command.KeyId, ct);
        if (organisation.Aggregate is null || key is null || key.OrganisationId != command.OrganisationId) return false;
        if (key.RevokedAt is not null) return true;
        var now = clock.GetUtcNow();
        session.Store(key with { RevokedAt = now });
        organisation.AppendOne(new ApiKeyRevoked(command.OrganisationId, key.Id, now, now));
        await session.SaveChangesAsync(ct);
        return true;
    }
}

public static class ApiKeyEndpoints
{
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(24);

    public static void MapApiKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/admin/organisations/{organisationId:guid}/api-keys")
            .RequireAuthorization(Roles.Admin).WithTags("Administration");

        keys.MapPost("", async (Guid organisationId, HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<IssueApiKeyRequest>(request, ct);
                if (problem is not null) return problem;
                var errors = new ValidationErrors();
                string[] roles = input!.Roles?.Distinct().ToArray() ?? [];
                if (roles.Length == 0) errors.Add("roles", $"At least one of: {string.Join(", ", Roles.OfOrganisations)}.");
                foreach (string r in roles.Where(r => !Roles.OfOrganisations.Contains(r)))
                    errors.Add("roles", r == Roles.Admin
                        ? "'admin' belongs to the deployment's admin key; an organisation's key acts within its organisation only."
                        : $"'{r}' is not one of: {string.Join(", ", Roles.OfOrganisations)}.");
                if (!errors.IsEmpty) return errors.ToProblem();
                return await mediator.Send(new IssueApiKey(organisationId, roles), ct) is { } issued
                    ? Results.Created($"/api/admin/organisations/{organisationId}/api-keys/{issued.KeyId}", issued)
                    : OrganisationNotFound();
            })
            .WithName("IssueApiKey").WithSummary("Issue an API key with one or more roles (reporter, analyst, escalation)")
            .Accepts<IssueApiKeyRequest>("application/json").Produces<ApiKeyIssuedResponse>(StatusCodes.Status201Created).AdminProblems();

        keys.MapGet("", async (Guid organisationId, IQuerySession session, CancellationToken ct) =>
            {
                if (await session.Events.FetchStreamStateAsync(organisationId, ct) is null) return OrganisationNotFound();
                var list = await session.Query<ApiKey>().Where(k => k.OrganisationId == organisationId).OrderBy(k => k.IssuedAt).ToListAsync(ct);
                return Results.Ok(new ApiKeyList(list.Select(k =>
                    new ApiKeyListing(k.Id, k.Prefix, k.Roles, k.IssuedAt, k.LastUsedAt, k.RevokedAt, k.ExpiresAt)).ToList()));
            })
            .WithName("ListApiKeys").WithSummary("List an organisation's API keys (never the keys themselves)")
            .Produces<ApiKeyList>().AdminProblems();

        keys.MapDelete("/{keyId:guid}", async (Guid organisationId, Guid keyId, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new RevokeApiKey(organisationId, keyId), ct)
                    ? Results.NoContent()
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "API key not found"))
            .WithName("RevokeApiKey").WithSummary("Revoke an API key at once")
            .Produces(StatusCodes.Status204NoContent).AdminProblems();

        keys.MapPost("/{keyId:guid}/rotation", async (Guid organisationId, Guid keyId, HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                var overlap = Overlap(request, errors);
                if (!errors.IsEmpty) return errors.ToProblem();
                return await mediator.Send(new IssueApiKey(organisationId, [], keyId, overlap), ct) is { } issued
                    ? Results.Created($"/api/admin/organisations/{organisationId}/api-keys/{issued.KeyId}", issued)
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "API key not found or no longer valid");
            })
            .WithName("RotateApiKey").WithSummary("Replace an API key; the old one keeps working for overlapHours (default 24)")
            .Produces<ApiKeyIssuedResponse>(StatusCodes.Status201Created).AdminProblems();
    }

    /// <summary>The <c>overlapHours</c> query value (0 to 168), default 24 h.</summary>
    public static TimeSpan Overlap(HttpRequest request, ValidationErrors errors)
    {
        if (request.Query["overlapHours"].ToString() is not { Length: > 0 } text) return DefaultOverlap;
        if (double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out double hours) && hours is >= 0 and <= 168)
            return TimeSpan.FromHours(hours);
        errors.Add("overlapHours", "Must be a number of hours from 0 to 168.");
        return DefaultOverlap;
    }

    public static IResult OrganisationNotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Organisation not found");

    public static RouteHandlerBuilder AdminProblems(this RouteHandlerBuilder b) => b
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound);
}
