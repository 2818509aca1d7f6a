using Marten;
using Mediator;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Calendar;

public sealed record CivicPeriodInput
{
    public string? Country { get; init; }
    /// <summary>election, referendum, protest, anniversary or other.</summary>
    public string? Type { get; init; }
    public string? Name { get; init; }
    /// <summary>The first day, such as 2026-10-05.</summary>
    public string? Start { get; init; }
    /// <summary>The last day, inclusive.</summary>
    public string? End { get; init; }
}

public sealed record CivicPeriodDraft(string Country, CivicPeriodType Type, string Name, DateOnly Start, DateOnly End)
{
    public const int MaxNameLength = 200;
    public const int MaxDays = 366;

    public static CivicPeriodDraft? Validate(CivicPeriodInput input, ValidationErrors errors)
    {
        string? country = Countries.Normalise(input.Country);
        if (country is null) errors.Add("country", "Required: an ISO 3166-1 alpha-2 code.");
        CivicPeriodType type = default;
        if (!WireNames<CivicPeriodType>.TryParse(input.Type, out type))
            errors.Add("type", $"Must be one of: {string.Join(", ", WireNames<CivicPeriodType>.All)}.");
        string? name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors.Add("name", "Required.");
        else if (name.Length > MaxNameLength) errors.Add("name", $"Must be at most {MaxNameLength} characters.");
        if (input.Start is null) errors.Add("start", "Required: a date such as 2026-10-05.");
        if (input.End is null) errors.Add("end", "Required: a date such as 2026-10-05.");
        var start = QueryDates.Parse(input.Start, "start", errors);
        var end = QueryDates.Parse(input.End, "end", errors);
        if (start is { } s && end is { } e)
        {
            if (e < s) errors.Add("end", "Must not be before 'start'.");
            else if (e.DayNumber - s.DayNumber + 1 > MaxDays) errors.Add("end", $"A period must not be longer than {MaxDays} days.");
        }
        return errors.IsEmpty ? new CivicPeriodDraft(country!, type, name!, start!.Value, end!.Value) : null;
    }
}

public sealed record RegisterCivicPeriod(CivicPeriodDraft Period) : ICommand<CivicPeriodRegisteredResponse>;

public sealed record CivicPeriodRegisteredResponse(Guid PeriodId);

public sealed record AmendCivicPeriod(Guid PeriodId, CivicPeriodDraft Period) : ICommand<CivicPeriod?>;

public sealed record ListCivicPeriods(string? Country, DateOnly? From, DateOnly? To) : IQuery<IReadOnlyList<CivicPeriod>>;

public sealed record CivicPeriodsResponse(IReadOnlyList<CivicPeriodView> Items);

public sealed record CivicPeriodView(Guid PeriodId, string Country, CivicPeriodType Type, string Name, DateOnly Start, DateOnly End, DateTimeOffset UpdatedAt)
{
    public static CivicPeriodView Of(CivicPeriod p) => new(p.Id, p.Country, p.Type, p.Name, p.Start, p.End, p.UpdatedAt);
}

public sealed class CivicPeriodHandlers(IDocumentSession session, TimeProvider clock) :
    ICommandHandler<RegisterCivicPeriod, CivicPeriodRegisteredResponse>,
    ICommandHandler<AmendCivicPeriod, CivicPeriod?>,
    IQueryHandler<ListCivicPeriods, IReadOnlyList<CivicPeriod>>
{
    public async ValueTask<CivicPeriodRegisteredResponse> Handle(RegisterCivicPeriod command, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var p = command.Period;
        session.Events.StartStream<CivicPeriod>(id, new CivicPeriodRegistered(id, p.Country, p.Type, p.Name, p.Start, p.End, now));
        await session.SaveChangesAsync(ct);
        return new CivicPeriodRegisteredResponse(id);
    }

    public async ValueTask<CivicPeriod?> Handle(AmendCivicPeriod command, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<CivicPeriod>(command.PeriodId, ct);
        if (stream.Aggregate is not { } current) return null;
        var p = command.Period;
        if (current with { UpdatedAt = default } == new CivicPeriod(current.Id, p.Country, p.Type, p.Name, p.Start, p.End, default))
            return current; // nothing changed: no event
        var amended = new CivicPeriodAmended(current.Id, p.Country, p.Type, p.Name, p.Start, p.End, clock.GetUtcNow());
        stream.AppendOne(amended);
        await session.SaveChangesAsync(ct);
        return CivicPeriod.Apply(amended, current);
    }

    public async ValueTask<IReadOnlyList<CivicPeriod>> Handle(ListCivicPeriods q, CancellationToken ct)
    {
        IQueryable<CivicPeriod> query = session.Query<CivicPeriod>();
        if (q.Country is { } c) query = query.Where(p => p.Country == c);
        if (q.From is { } from) query = query.Where(p => p.End >= from);
        if (q.To is { } to) query = query.Where(p => p.Start <= to);
        return await query.OrderBy(p => p.Start).ThenBy(p => p.Country).Take(CivicPeriodEndpoints.MaxItems).ToListAsync(ct);
    }
}

public static class CivicPeriodEndpoints
{
    public const string Path = "/api/analysis/civic-periods";
    public const int MaxItems = 1000;

    public static void MapCivicPeriods(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<CivicPeriodInput>(request, ct);
                if (problem is not null) return problem;
                var errors = new ValidationErrors();
                var draft = CivicPeriodDraft.Validate(input!, errors);
                if (draft is null) return errors.ToProblem();
                var created = await mediator.Send(new RegisterCivicPeriod(draft), ct);
                return Results.Created($"{Path}/{created.PeriodId}", created);
            })
            .RequireAuthorization(Roles.Analyst)
            .WithName("RegisterCivicPeriod")
            .WithTags("Analysis")
            .WithSummary("Register a civic period (election, referendum, protest, anniversary) that spikes are read against")
            .Accepts<CivicPeriodInput>("application/json")
            .Produces<CivicPeriodRegisteredResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        app.MapPut(Path + "/{periodId:guid}", async (Guid periodId, HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<CivicPeriodInput>(request, ct);
                if (problem is not null) return problem;
                var errors = new ValidationErrors();
                var draft = CivicPeriodDraft.Validate(input!, errors);
                if (draft is null) return errors.ToProblem();
                var amended = await mediator.Send(new AmendCivicPeriod(periodId, draft), ct);
                return amended is null
                    ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such civic period")
                    : Results.Ok(CivicPeriodView.Of(amended));
            })
            .RequireAuthorization(Roles.Analyst)
            .WithName("AmendCivicPeriod")
            .WithTags("Analysis")
            .WithSummary("Amend a civic period: every field, as it now stands")
            .Accepts<CivicPeriodInput>("application/json")
            .Produces<CivicPeriodView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet(Path, async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                var q = request.Query;
                string? country = null;
                if (q["country"].ToString() is { Length: > 0 } cs && (country = Countries.Normalise(cs)) is null)
                    errors.Add("country", "Must be an ISO 3166-1 alpha-2 code.");
                var from = QueryDates.Parse(q["from"], "from", errors);
                var to = QueryDates.Parse(q["to"], "to", errors);
                if (from > to) errors.Add("from", "Must not be after 'to'.");
                if (!errors.IsEmpty) return errors.ToProblem();
                var periods = await mediator.Send(new ListCivicPeriods(country, from, to), ct);
                return Results.Ok(new CivicPeriodsResponse(periods.Select(CivicPeriodView.Of).ToList()));
            })
            .RequireAuthorization(Roles.Analyst)
            .WithName("ListCivicPeriods")
            .WithTags("Analysis")
            .WithSummary("The civic calendar: registered periods, optionally of one country and overlapping a date range")
            .Produces<CivicPeriodsResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }
}
