using Marten;
using Mediator;
using Takedowns.Contracts;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Series;

public sealed record GetSeries(string Country, Platform? Platform, GroundCategory? Category, SubjectType? SubjectType, DateOnly From, DateOnly To)
    : IQuery<IReadOnlyList<SeriesPoint>>;

/// <summary>A day's count in a country x platform x category slice; of one subject type when the query names one.</summary>
public sealed record SeriesPoint(DateOnly Day, string Country, Platform Platform, GroundCategory Category, int Count, SubjectType? SubjectType = null);

public sealed record SeriesResponse(IReadOnlyList<SeriesPoint> Items);

public sealed class GetSeriesHandler(IQuerySession session) : IQueryHandler<GetSeries, IReadOnlyList<SeriesPoint>>
{
    public async ValueTask<IReadOnlyList<SeriesPoint>> Handle(GetSeries q, CancellationToken ct)
    {
        var query = session.Query<SliceDay>().Where(c => c.Country == q.Country && c.Day >= q.From && c.Day <= q.To && c.Count > 0);
        if (q.Platform is { } p) query = query.Where(c => c.Platform == p);
        if (q.Category is { } g) query = query.Where(c => c.Category == g);
        if (q.SubjectType is { } st) query = query.Where(c => c.SubjectType == st);
        var rows = await query.ToListAsync(ct);
        return rows.GroupBy(c => (c.Day, c.Platform, c.Category))
            .Select(g => new SeriesPoint(g.Key.Day, q.Country, g.Key.Platform, g.Key.Category, g.Sum(c => c.Count), q.SubjectType))
            .OrderBy(p => p.Day).ThenBy(p => p.Platform).ThenBy(p => p.Category)
            .ToList();
    }
}

public static class GetSeriesEndpoint
{
    private const int MaxDays = 3660;

    public static void MapGetSeries(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/analysis/series", async (HttpRequest request, IMediator mediator, TimeProvider clock, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                var q = request.Query;
                string? country = Countries.Normalise(q["country"]);
                if (country is null) errors.Add("country", "Required: an ISO 3166-1 alpha-2 code.");
                Platform? platform = null;
                if (q["platform"].ToString() is { Length: > 0 } ps)
                {
                    if (WireNames<Platform>.TryParse(ps, out var parsed)) platform = parsed;
                    else errors.Add("platform", $"Must be one of: {string.Join(", ", WireNames<Platform>.All)}.");
                }
                GroundCategory? category = null;
                if (q["category"].ToString() is { Length: > 0 } cs)
                {
                    if (WireNames<GroundCategory>.TryParse(cs, out var parsed)) category = parsed;
                    else errors.Add("category", $"Must be one of: {string.Join(", ", WireNames<GroundCategory>.All)}.");
                }
                SubjectType? subjectType = null;
                if (q["subjectType"].ToString() is { Length: > 0 } sts)
                {
                    if (WireNames<SubjectType>.TryParse(sts, out var parsed)) subjectType = parsed;
                    else errors.Add("subjectType", $"Must be one of: {string.Join(", ", WireNames<SubjectType>.All)}.");
                }
                var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
                var to = QueryDates.Parse(q["to"], "to", errors) ?? today;
                var from = QueryDates.Parse(q["from"], "from", errors) ?? to.AddDays(-90);
                if (from > to) errors.Add("from", "Must not be after 'to'.");
                else if (to.DayNumber - from.DayNumber > MaxDays) errors.Add("from", $"The range must not exceed {MaxDays} days.");
                if (!errors.IsEmpty) return errors.ToProblem();

                var items = await mediator.Send(new GetSeries(country!, platform, category, subjectType, from, to), ct);
                return Results.Ok(new SeriesResponse(items));
            })
            .RequireAuthorization(Roles.Analyst)
            .WithName("GetSeries")
            .WithTags("Analysis")
            .WithSummary("Daily report counts of a country's slices, by the day the takedown occurred")
            .Produces<SeriesResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
}
