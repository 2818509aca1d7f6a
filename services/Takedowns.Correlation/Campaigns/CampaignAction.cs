using System.Security.Claims;
using JasperFx.Events;
using Marten;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Campaigns;

/// <summary>What an analyst's action decided: events for campaigns' streams (none: nothing to record), or why it is refused.</summary>
public sealed record Decision(IReadOnlyList<(Guid CampaignId, object Event)> Events, ValidationErrors? Refusal = null)
{
    public static readonly Decision Nothing = new([]);

    public static Decision Append(Guid campaignId, object e) => new([(campaignId, e)]);

    public static Decision Refuse(ValidationErrors errors) => new([], errors);
}

/// <summary>
/// One action on a campaign: the other campaigns it reads and writes besides it (a merge's), and its decision, a pure
/// function of the campaign and those others as their events make them now (the others that exist, in the order named).
/// </summary>
public sealed record CampaignAction(Guid CampaignId, IReadOnlyList<Guid> Others, Func<Campaign, IReadOnlyList<Campaign>, Decision> Decide)
{
    public CampaignAction(Guid campaignId, Func<Campaign, Decision> decide) : this(campaignId, [], (c, _) => decide(c)) { }
}

/// <summary>
/// How every analyst action is recorded: fetch the campaigns it touches, decide, append, save. Events are appended
/// expecting each stream as it was read, so an action on a campaign that changed meanwhile (detection linked a report,
/// another analyst acted) fails as a whole and is decided again on what the campaign is now.
/// </summary>
public static class CampaignActions
{
    public const int MaxText = 2000;

    /// <summary>Tries at recording an action before it is refused as conflicting: detection may be linking reports to the campaign.</summary>
    public const int Attempts = 6;

    /// <summary>
    /// The pause before another try: growing with the tries and drawn at random, so analysts acting on one campaign at once
    /// do not all read it again at the same moment and meet each other again.
    /// </summary>
    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25 << Math.Min(attempt, 4)));

    /// <summary>Records an action and answers with the campaign as its events now make it.</summary>
    public static async Task<IResult> RecordAsync(IDocumentStore store, CampaignAction action, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            if (attempt > 1) await Task.Delay(Backoff(attempt - 1), ct);
            await using var session = store.LightweightSession();
            if (action.CampaignId == Guid.Empty) return NotFound();
            var target = await session.Events.FetchForWriting<Campaign>(action.CampaignId, ct);
            if (target.Aggregate is not { } campaign) return NotFound();
            if (!campaign.IsOpen) return Conflict($"The campaign was merged into {campaign.MergedInto}; act on that one.");
            var streams = new Dictionary<Guid, IEventStream<Campaign>> { [campaign.Id] = target };
            var others = new List<Campaign>();
            foreach (var id in action.Others.Where(id => id != campaign.Id && id != Guid.Empty).Distinct())
            {
                var stream = await session.Events.FetchForWriting<Campaign>(id, ct);
                if (stream.Aggregate is not { } other) continue;
                streams[id] = stream;
                others.Add(other);
            }

            var decision = action.Decide(campaign, others);
            if (decision.Refusal is { } refusal) return refusal.ToProblem();
            var now = streams.ToDictionary(s => s.Key, s => s.Value.Aggregate!);
            foreach (var (id, e) in decision.Events)
            {
                streams[id].AppendOne(e);
                now[id] = Campaign.Next(now[id], e)!;
            }
            try
            {
                if (decision.Events.Count > 0) await session.SaveChangesAsync(ct);
                return Results.Ok(await CampaignEndpoints.DetailAsync(session, now[campaign.Id], ct));
            }
            catch (JasperFx.ConcurrencyException) when (attempt < Attempts)
            {
                // Changed while this was being recorded: nothing was written; decide again on the campaign as it is now.
            }
            catch (JasperFx.ConcurrencyException)
            {
                return Conflict("The campaign kept changing while this was being recorded; nothing was recorded. Try again.");
            }
        }
    }

    /// <summary>
    /// Maps <c>POST /api/analysis/campaigns/{campaignId}/{verb}</c>: the body is read and checked first (a bad one is refused
    /// whatever the campaign), then the action is recorded for the caller.
    /// </summary>
    public static RouteHandlerBuilder Map<TInput>(IEndpointRouteBuilder app, string verb, string name, string summary,
        Action<TInput, ValidationErrors> validate, Func<Guid, TInput, string, DateTimeOffset, CampaignAction> act, bool allowEmpty = false)
        where TInput : class, new() =>
        app.MapPost(CampaignEndpoints.Path + "/{campaignId:guid}/" + verb, async (Guid campaignId, HttpRequest request, ClaimsPrincipal user,
                IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<TInput>(request, ct, allowEmpty);
                if (problem is not null) return problem;
                input ??= new TInput();
                var errors = new ValidationErrors();
                validate(input, errors);
                if (!errors.IsEmpty) return errors.ToProblem();
                string by = user.FindFirst(Claims.KeyId)?.Value ?? "admin";
                return await RecordAsync(store, act(campaignId, input, by, clock.GetUtcNow()), ct);
            })
            .RequireAuthorization(Roles.Analyst).WithName(name).WithTags("Analysis").WithSummary(summary)
            .Accepts<TInput>("application/json")
            .Produces<CampaignDetail>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

    /// <summary>A free-text field, trimmed; empty is absent. Too long, or absent where required, is named in the errors.</summary>
    public static string? Text(string? value, string field, ValidationErrors errors, bool required)
    {
        string? text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            if (required) errors.Add(field, "Required.");
            return null;
        }
        if (text.Length > MaxText) errors.Add(field, $"Must be at most {MaxText} characters.");
        return text;
    }

    public static IResult NotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such campaign");

    private static IResult Conflict(string detail) => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible in the campaign's state", detail: detail);
}
