using Marten;
using Mediator;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Spikes;

public sealed record GetSpikes(
    DateOnly? From, DateOnly? To, string? Country, Platform? Platform, GroundCategory? Category, SubjectType? SubjectType,
    bool IncludeWithdrawn, (long Key, Guid Id)? After, int Limit) : IQuery<SpikePage>;

public sealed record SpikeView(
    Guid SpikeId, Slice Slice, DateOnly Start, DateOnly End, int Observed, double Expected, double Score, double PValue, string Method,
    string Status, IReadOnlyList<CivicPeriodRef> CivicPeriods, DateOnly FirstAlarm, DateTimeOffset RaisedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<Slice> Cells, string Found)
{
    public static SpikeView Of(Spike s) => new(s.Id, s.Slice, s.Start, s.End, s.Observed, Math.Round(s.Expected, 2), Math.Round(s.Score, 2),
        s.PValue, s.Method, s.Withdrawn ? "withdrawn" : s.Open ? "open" : "ended", s.CivicPeriods, s.FirstAlarm, s.RaisedAt, s.UpdatedAt,
        s.Cells ?? [], s.FoundAfterwards ? "afterwards" : "as_it_happened");
}

public sealed record SpikePage(IReadOnlyList<SpikeView> Items, string? Next);

public sealed class GetSpikesHandler(IQuerySession session) : IQueryHandler<GetSpikes, SpikePage>
{
    public async ValueTask<SpikePage> Handle(GetSpikes q, CancellationToken ct)
    {
        var query = session.Query<Spike>().AsQueryable();
        if (!q.IncludeWithdrawn) query = query.Where(s => !s.Withdrawn);
        if (q.Country is { } c) query = query.Where(s => s.Country == c);
        if (q.Platform is { } p) query = query.Where(s => s.Slice.Platform == p);
        if (q.Category is { } g) query = query.Where(s => s.Slice.Category == g);
        if (q.SubjectType is { } st) query = query.Where(s => s.Slice.SubjectType == st);
        if (q.From is { } from) query = query.Where(s => s.End >= from);
        if (q.To is { } to) query = query.Where(s => s.Start <= to);
        if (q.After is { } after)
        {
            var day = DateOnly.FromDayNumber((int)after.Key);
            query = query.Where(s => s.Start < day || (s.Start == day && s.Id.CompareTo(after.Id) < 0));
        }
        var page = await query.OrderByDescending(s => s.Start).ThenByDescending(s => s.Id).Take(q.Limit + 1).ToListAsync(ct);
        string? next = page.Count > q.Limit ? PageCursor.Encode(page[q.Limit - 1].Start.DayNumber, page[q.Limit - 1].Id) : null;
        return new SpikePage(page.Take(q.Limit).Select(SpikeView.Of).ToList(), next);
    }
}

public static class GetSpikesEndpoint
{
    public static void MapGetSpikes(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/analysis/spikes", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                var q = request.Query;
                string? country = QueryFilters.Country(q["country"], errors);
                var platform = QueryFilters.Enum<Platform>(q["platform"], "platform", errors);
                var category = QueryFilters.Enum<GroundCategory>(q["category"], "category", errors);
                var subjectType = QueryFilters.Enum<SubjectType>(q["subjectType"], "subjectType", errors);
                var from = QueryDates.Parse(q["from"], "from", errors);
                var to = QueryDates.Parse(q["to"], "to", errors);
                if (from > to) errors.Add("from", "Must not be after 'to'.");
                bool withdrawn = false;
                if (q["includeWithdrawn"].ToString() is { Length: > 0 } w && !bool.TryParse(w, out withdrawn))
                    errors.Add("includeWithdrawn", "Must be true or false.");
                var (after, limit) = PageCursor.Read(q, errors, PageCursor.Days);
                if (!errors.IsEmpty) return errors.ToProblem();
                return Results.Ok(await mediator.Send(new GetSpikes(from, to, country, platform, category, subjectType, withdrawn, after, limit), ct));
            })
            .RequireAuthorization(Roles.Analyst)
            .WithName("GetSpikes")
            .WithTags("Analysis")
            .WithSummary("Spikes found in the series, newest first, with the civic periods they overlap")
            .WithDescription("from/to: spikes overlapping these days. country, platform, category, subjectType: spikes in slices that fix " +
                             "these values. includeWithdrawn: also spikes later data no longer supports. limit (1-500, default 50); pass the " +
                             "answer's next as cursor for the following page.")
            .Produces<SpikePage>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
}
