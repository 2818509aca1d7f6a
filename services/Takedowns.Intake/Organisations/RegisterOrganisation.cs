using Marten;
using Mediator;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Organisations;

public sealed record RegisterOrganisation(string Name) : ICommand<OrganisationRegisteredResponse>;

/// <summary>The API key is shown here once; only its hash is kept.</summary>
public sealed record OrganisationRegisteredResponse(Guid OrganisationId, string ApiKey);

public sealed record RegisterOrganisationRequest(string? Name);

public sealed class RegisterOrganisationHandler(IDocumentSession session, TimeProvider clock)
    : ICommandHandler<RegisterOrganisation, OrganisationRegisteredResponse>
{
    public async ValueTask<OrganisationRegisteredResponse> Handle(RegisterOrganisation command, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var organisationId = Guid.CreateVersion7(now);
        var (key, plaintext) = ApiKey.Issue(organisationId, [Roles.Reporter], now);
        session.Events.StartStream<Organisation>(organisationId,
            new OrganisationRegistered(organisationId, command.Name, now),
            new ApiKeyIssued(organisationId, key.Id, key.Roles, now));
        session.Store(key);
        await session.SaveChangesAsync(ct);
        return new OrganisationRegisteredResponse(organisationId, plaintext);
    }
}

public static class OrganisationEndpoints
{
    public const int MaxNameLength = 200;

    public static void MapOrganisations(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/admin/organisations", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var (name, problem) = await ReadName(request, ct);
                if (problem is not null) return problem;
                var created = await mediator.Send(new RegisterOrganisation(name!), ct);
                return Results.Created($"/api/admin/organisations/{created.OrganisationId}", created);
            })
            .RequireAuthorization(Roles.Admin)
            .WithName("RegisterOrganisation")
            .WithTags("Administration")
            .WithSummary("Register a reporting organisation and issue its first API key")
            .Accepts<RegisterOrganisationRequest>("application/json")
            .Produces<OrganisationRegisteredResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    /// <summary>Reads a <c>{"name": "..."}</c> body, the shape of every admin create request so far.</summary>
    internal static async Task<(string? Name, IResult? Problem)> ReadName(HttpRequest request, CancellationToken ct)
    {
        var (input, problem) = await JsonBody.ReadAsync<RegisterOrganisationRequest>(request, ct);
        if (problem is not null) return (null, problem);
        string? name = input!.Name?.Trim();
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(name)) errors.Add("name", "Required.");
        else if (name.Length > MaxNameLength) errors.Add("name", $"Must be at most {MaxNameLength} characters.");
        return errors.IsEmpty ? (name, null) : (null, errors.ToProblem());
    }
}
