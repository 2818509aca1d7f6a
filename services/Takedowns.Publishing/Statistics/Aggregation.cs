using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Marten;
using Mediator;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Takedowns.Contracts;
using Takedowns.Publishing.Patterns;
using Takedowns.ServiceDefaults;

namespace Takedowns.Publishing.Statistics;

/// <summary>
/// One or two axes among the classifying variables and the period (a null variable is the period; a null
/// <paramref name="AxisY"/> is no second axis), with a value fixed on any other variables.
/// </summary>
public sealed record GetAggregation(Axis AxisX, Axis? AxisY, Grain Grain, DateOnly? From, DateOnly? To, IReadOnlyDictionary<Variable, string> Filters, int? Release)
    : IQuery<AggregationResult?>;

/// <summary>The items, and the release they were read from (null: no release published yet, so the counts as they stand).</summary>
public sealed record AggregationResult(int? Release, IReadOnlyList<AggregationItem> Items);

/// <summary>An axis: a classifying variable, or the period when <paramref name="Variable"/> is null.</summary>
public sealed record Axis(Variable? Variable)
{
    public string Name => Variable is { } v ? PublicLattice.Names[(int)v] : Aggregation.PeriodAxis;
}

/// <summary>
/// One cell: its value on the x axis, on the y axis when there is one, its period when the period is not an axis, and its
/// count (null when suppressed).
/// </summary>
public sealed record AggregationItem(
    string X,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Y,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Period,
    int? Count,
    bool Suppressed);

public sealed record AggregationResponse(string AxisX, string? AxisY, string Grain, int? Release, int SuppressionThreshold, IReadOnlyList<AggregationItem> Items);

public sealed class GetAggregationHandler(IQuerySession session, IOptions<PublishingOptions> options, ProtectedTables tables)
    : IQueryHandler<GetAggregation, AggregationResult?>
{
    /// <summary>From the release asked for, else from the latest, else (none published yet) as the counts stand; null when the release asked for does not exist.</summary>
    public async ValueTask<AggregationResult?> Handle(GetAggregation q, CancellationToken ct)
    {
        int? release = q.Release;
        if (release is { } wanted && await session.LoadAsync<PublicRelease>(wanted, ct) is null) return null;
        release ??= (await session.Query<PublicRelease>().OrderByDescending(r => r.Id).Select(r => r.Id).Take(1).ToListAsync(ct)).Cast<int?>().FirstOrDefault();
        IEnumerable<PublishedCell> published;
        if (release is { } number)
        {
            var (from, to) = PatternTable.WholePeriods(q.From, q.To, q.Grain);
            var blocks = session.Query<ReleaseBlock>().Where(b => b.Release == number && b.Grain == q.Grain);
            if (from is { } bf) blocks = blocks.Where(b => b.Period >= bf);
            if (to is { } bt) blocks = blocks.Where(b => b.Period <= bt);
            published = (await blocks.ToListAsync(ct)).SelectMany(b => b.Cells.Select(c => new PublishedCell(b.Period, c.Table, c.Key, c.Count)));
        }
        else
        {
            published = tables.Build(await PatternTable.LoadWholePeriodsAsync(session, q.From, q.To, q.Grain, ct), q.Grain, Math.Max(1, options.Value.SuppressionThreshold), options.Value.ProtectionBudget);
        }
        return new AggregationResult(release, Select(q, published));
    }

    private static IReadOnlyList<AggregationItem> Select(GetAggregation q, IEnumerable<PublishedCell> published)
    {
        int table = Aggregation.TableOf(q.AxisX.Variable, q.AxisY?.Variable, q.Filters.Keys);
        bool periodOnAxis = q.AxisX.Variable is null || q.AxisY is { Variable: null };
        string Period(PublishedCell c) => c.Period.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string ValueOn(PublishedCell c, Axis axis) => axis.Variable is { } v ? c.Key[(int)v]! : Period(c);
        return published
            .Where(c => c.Table == table && q.Filters.All(filter => c.Key[(int)filter.Key] == filter.Value))
            .Select(c => new AggregationItem(
                ValueOn(c, q.AxisX),
                q.AxisY is null ? null : ValueOn(c, q.AxisY),
                periodOnAxis ? null : Period(c),
                c.Count, c.Suppressed))
            .OrderBy(i => i.Period ?? "", StringComparer.Ordinal).ThenBy(i => i.X, StringComparer.Ordinal).ThenBy(i => i.Y, StringComparer.Ordinal)
            .ToList();
    }
}

/// <summary><c>GET /api/public/aggregation</c>: any one or two axes of the public tables, as JSON or CSV.</summary>
public static class Aggregation
{
    public const string PeriodAxis = "period";

    private static readonly Dictionary<string, Variable> Variables = Enumerable.Range(0, PublicLattice.Variables)
        .ToDictionary(i => PublicLattice.Names[i], i => (Variable)i, StringComparer.Ordinal);


    /// <summary>The table an aggregation reads: the variables on its axes and those its filters fix.</summary>
    public static int TableOf(Variable? x, Variable? y, IEnumerable<Variable> filters) =>
        PublicLattice.MaskOf(new[] { x, y }.OfType<Variable>().Concat(filters));

    public static void MapAggregation(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/public/aggregation", Handle)
            .AllowAnonymous()
            .WithName("GetAggregation")
            .WithTags("Public")
            .WithSummary("Public counts along one or two axes")
            .WithDescription("Incidents counted by the day the takedown occurred, along axisX and optionally axisY (country, platform, " +
                             "category, subjectType, action, period), per period of the grain (day, week, month; weeks start on Monday). " +
                             "Filters (country, platform, category, subjectType, action) fix one value each. Between the axes and the " +
                             "filters, at most two of the classifying variables may be used, or country, platform and category together: " +
                             "finer tables are not published. from and to select whole periods. A suppressed cell has count null and " +
                             "suppressed true. Accept: text/csv or format=csv gives CSV.")
            .Produces<AggregationResponse>()
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> Handle(HttpRequest request, IMediator mediator, IOptions<PublishingOptions> options, CancellationToken ct)
    {
        var q = request.Query;
        var errors = new ValidationErrors();
        string axisNames = $"one of: {string.Join(", ", PublicLattice.Names)}, {PeriodAxis}";

        Axis? AxisOf(string name)
        {
            string value = q[name].ToString();
            if (value.Length == 0) return null;
            if (value == PeriodAxis) return new Axis(null);
            if (Variables.TryGetValue(value, out var v)) return new Axis(v);
            errors.Add(name, $"Must be {axisNames}.");
            return null;
        }
        var x = AxisOf("axisX");
        var y = AxisOf("axisY");
        if (x is null && q["axisX"].ToString().Length == 0) errors.Add("axisX", $"Required: {axisNames}.");
        if (x is not null && y is not null && x == y) errors.Add("axisY", "Must differ from axisX.");

        string grainName = q["grain"].ToString() is { Length: > 0 } g ? g : "week";
        if (!GetPatternsEndpoint.Grains.TryGetValue(grainName, out var grain)) errors.Add("grain", "Must be one of: day, week, month.");
        var from = QueryDates.Parse(q["from"], "from", errors);
        var to = QueryDates.Parse(q["to"], "to", errors);
        if (from > to) errors.Add("from", "Must not be after 'to'.");

        var filters = new Dictionary<Variable, string>();
        foreach (var (name, variable) in Variables)
        {
            string value = q[name].ToString();
            if (value.Length == 0) continue;
            string? normalised = variable switch
            {
                Variable.Country => Countries.Normalise(value),
                Variable.Platform => WireNames<Platform>.TryParse(value, out _) ? value : null,
                Variable.Category => WireNames<GroundCategory>.TryParse(value, out _) ? value : null,
                Variable.SubjectType => WireNames<SubjectType>.TryParse(value, out _) ? value : null,
                _ => WireNames<TakedownAction>.TryParse(value, out _) ? value : null,
            };
            if (normalised is null) errors.Add(name, variable == Variable.Country ? "Must be an ISO 3166-1 alpha-2 country code." : $"'{GetPatternsEndpoint.Truncate(value)}' is not a known {name}.");
            else filters[variable] = normalised;
        }
        if (errors.IsEmpty && !PublicLattice.Publishes(TableOf(x!.Variable, y?.Variable, filters.Keys)))
            errors.Add(filters.Count > 0 ? PublicLattice.Names[(int)filters.Keys.Max()] : "axisY",
                "Between the axes and the filters, use at most two of country, platform, category, subjectType and action, " +
                "or country, platform and category together: finer tables are not published.");

        string format = q["format"].ToString();
        if (format.Length > 0 && format is not ("json" or "csv")) errors.Add("format", "Must be json or csv.");
        int? release = null;
        if (q["release"].ToString() is { Length: > 0 } r)
        {
            if (!int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1) errors.Add("release", "Must be a release number (1 or more).");
            else release = n;
        }
        if (!errors.IsEmpty) return errors.ToProblem();

        if (await mediator.Send(new GetAggregation(x!, y, grain, from, to, filters, release), ct) is not { } result)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such release",
                detail: $"Release {release} has not been published.");
        var items = result.Items;
        string xName = x!.Name;
        string? yName = y?.Name;
        if (format == "csv" || (format.Length == 0 && GetPatternsEndpoint.WantsCsv(request)))
            return Results.Text(ToCsv(items, xName, yName), "text/csv; charset=utf-8");
        return Results.Ok(new AggregationResponse(xName, yName, grainName, result.Release, options.Value.SuppressionThreshold, items));
    }

    public static string ToCsv(IReadOnlyList<AggregationItem> items, string xName, string? yName)
    {
        bool period = xName != PeriodAxis && yName != PeriodAxis;
        var csv = new StringBuilder(xName);
        if (yName is not null) csv.Append(',').Append(yName);
        if (period) csv.Append(",period");
        csv.Append(",count,suppressed\r\n");
        // Every value is a code (country, taxonomy, date), so none needs quoting.
        foreach (var i in items)
        {
            csv.Append(i.X);
            if (yName is not null) csv.Append(',').Append(i.Y);
            if (period) csv.Append(',').Append(i.Period);
            csv.Append(',').Append(i.Count?.ToString(CultureInfo.InvariantCulture)).Append(',').Append(i.Suppressed ? "true" : "false").Append("\r\n");
        }
        return csv.ToString();
    }
}
