using Marten;
using Mediator;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Takedowns.Publishing.Statistics;
using Takedowns.ServiceDefaults;

namespace Takedowns.Publishing.Patterns;

public sealed class PublishingOptions
{
    public const string Section = "Publishing";

    /// <summary>k: a cell with fewer reports than this is shown as suppressed, without its count.</summary>
    public int SuppressionThreshold { get; set; } = 5;

    /// <summary>How long one period's tables may take to protect before only the period's total is shown.</summary>
    public TimeSpan ProtectionBudget { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How old the last release may be before one is published on its own (a day).</summary>
    public TimeSpan ReleaseInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the release schedule looks at the last release's age.</summary>
    public TimeSpan ReleaseCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The Atom feed's id (an IRI that never changes for a deployment).</summary>
    public string FeedId { get; set; } = "urn:uuid:4f1c9d52-3b7e-5a61-9e2d-7c0b8a6f4e13";
}

public sealed record GetPatterns(IReadOnlySet<Dimension> GroupBy, Grain Grain, DateOnly? From, DateOnly? To) : IQuery<IReadOnlyList<PatternRow>>;

public sealed record PatternsResponse(string Grain, IReadOnlyList<string> GroupBy, DateOnly? From, DateOnly? To, int SuppressionThreshold, IReadOnlyList<PatternRow> Rows);

public sealed class GetPatternsHandler(IQuerySession session, IOptions<PublishingOptions> options, ProtectedTables tables)
    : IQueryHandler<GetPatterns, IReadOnlyList<PatternRow>>
{
    public async ValueTask<IReadOnlyList<PatternRow>> Handle(GetPatterns q, CancellationToken ct)
    {
        var cells = await PatternTable.LoadWholePeriodsAsync(session, q.From, q.To, q.Grain, ct);
        return PatternTable.Build(cells, q.GroupBy, q.Grain, Math.Max(1, options.Value.SuppressionThreshold), tables, options.Value.ProtectionBudget);
    }
}

public static class GetPatternsEndpoint
{
    private static readonly Dictionary<string, Dimension> Dimensions = new(StringComparer.Ordinal)
    {
        ["country"] = Dimension.Country, ["platform"] = Dimension.Platform, ["category"] = Dimension.Category,
    };

    /// <summary>The grains a public query may name.</summary>
    internal static readonly Dictionary<string, Grain> Grains = new(StringComparer.Ordinal)
    {
        ["day"] = Grain.Day, ["week"] = Grain.Week, ["month"] = Grain.Month,
    };

    public static void MapGetPatterns(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/public/patterns", Handle)
            .AllowAnonymous()
            .WithName("GetPatterns")
            .WithTags("Public")
            .WithSummary("Aggregated, anonymised takedown counts")
            .WithDescription("Reports counted by the day the takedown occurred, per period (named by its first day; weeks start " +
                             "on Monday) and the dimensions in groupBy (country, platform, category); from and to select whole periods. A cell " +
                             "of fewer than k reports has count null and suppressed true, and so has any cell it could be worked out " +
                             "from. Accept: text/csv gives the same rows as CSV.")
            .Produces<PatternsResponse>()
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesValidationProblem();

    private static async Task<IResult> Handle(HttpRequest request, IMediator mediator, IOptions<PublishingOptions> options, CancellationToken ct)
    {
        var q = request.Query;
        var errors = new ValidationErrors();

        var groupBy = new HashSet<Dimension>();
        foreach (string part in q["groupBy"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (Dimensions.TryGetValue(part, out var d)) groupBy.Add(d);
            else errors.Add("groupBy", $"'{Truncate(part)}' is not one of: country, platform, category.");
        }

        string grainName = q["grain"].ToString() is { Length: > 0 } g ? g : "week";
        if (!Grains.TryGetValue(grainName, out var grain)) errors.Add("grain", "Must be one of: day, week, month.");

        var from = QueryDates.Parse(q["from"], "from", errors);
        var to = QueryDates.Parse(q["to"], "to", errors);
        if (from > to) errors.Add("from", "Must not be after 'to'.");
        if (!errors.IsEmpty) return errors.ToProblem();

        var rows = await mediator.Send(new GetPatterns(groupBy, grain, from, to), ct);

        if (WantsCsv(request)) return Results.Text(PatternTable.ToCsv(rows, groupBy), "text/csv; charset=utf-8");
        var names = Dimensions.Where(p => groupBy.Contains(p.Value)).Select(p => p.Key).ToList();
        return Results.Ok(new PatternsResponse(grainName, names, from, to, options.Value.SuppressionThreshold, rows));
    }

    /// <summary>Whether the client asks for CSV (and not JSON) in <c>Accept</c>.</summary>
    internal static bool WantsCsv(HttpRequest request) =>
        request.GetTypedHeaders().Accept is { Count: > 0 } accept
        && accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        && !accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    /// <summary>A query value as quoted back in an error: at most 40 characters.</summary>
    internal static string Truncate(string s) => s.Length <= 40 ? s : s[..40];
}
