using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Takedowns.ServiceDefaults.Parking;

/// <summary>What a service parked, for its administrator (the gateway gathers every service's under the same routes).</summary>
public static class ParkedEndpoints
{
    public const string Path = "/api/admin/parked";

    public sealed record ParkedList(IReadOnlyList<ParkedItem> Items);

    public sealed record ParkedReplays(IReadOnlyList<ParkedReplay> Results);

    public static IEndpointRouteBuilder MapParked(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path).WithTags("Parked").RequireAuthorization(Roles.Admin);
        group.MapGet("", async (Parked parked, CancellationToken ct) => TypedResults.Ok(new ParkedList(await parked.ListAsync(ct))))
            .WithSummary("Events and messages this service parked after their retries, with the reason");
        group.MapPost("/{id:guid}/replay", async Task<IResult> (Guid id, Parked parked, CancellationToken ct) =>
                await parked.ReplayAsync(id, ct) is { } replay ? TypedResults.Ok(replay) : NotFound(id))
            .WithSummary("Processes one parked item again: an event through its subscription (or its projection, rebuilt), a message sent back to its queue");
        group.MapPost("/replay", async (Parked parked, CancellationToken ct) => TypedResults.Ok(new ParkedReplays(await parked.ReplayAllAsync(ct))))
            .WithSummary("Processes every parked item again");
        group.MapDelete("/{id:guid}", async Task<IResult> (Guid id, Parked parked, CancellationToken ct) =>
                await parked.DiscardAsync(id, ct) ? TypedResults.NoContent() : NotFound(id))
            .WithSummary("Discards one parked item without processing it");
        return app;
    }

    private static IResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such parked item", detail: $"Nothing parked has the id {id}.");
}
