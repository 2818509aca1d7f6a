using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Takedowns.Contracts;
using Takedowns.Publishing.Statistics;

namespace Takedowns.Publishing.Patterns;

public enum Grain { Day, Week, Month }

public enum Dimension { Country, Platform, Category }

/// <summary>One row of a public pattern. Dimensions not grouped by are left out; a suppressed count is null.</summary>
public sealed record PatternRow(
    string Period,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Country,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Platform? Platform,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GroundCategory? Category,
    int? Count,
    bool Suppressed);

/// <summary>
/// The public table of counts by the chosen dimensions: one of the protected tables (see <see cref="ProtectedTables"/>),
/// each cell of 1 to k-1 incidents suppressed, and others with it wherever the suppressed ones could be worked out.
/// </summary>
public static class PatternTable
{
    public static IReadOnlyList<PatternRow> Build(
        IEnumerable<PatternCell> cells, IReadOnlySet<Dimension> groupBy, Grain grain, int threshold, ProtectedTables? tables = null, TimeSpan? budget = null)
    {
        int mask = PublicLattice.MaskOf(groupBy.Select(d => d switch
        {
            Dimension.Country => Variable.Country,
            Dimension.Platform => Variable.Platform,
            _ => Variable.Category,
        }));
        return (tables ?? new ProtectedTables()).Build(cells, grain, threshold, budget)
            .Where(c => c.Table == mask)
            .Select(c => new PatternRow(
                c.Period.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                c.Key[(int)Variable.Country],
                c.Key[(int)Variable.Platform] is { } p && WireNames<Platform>.TryParse(p, out var platform) ? platform : null,
                c.Key[(int)Variable.Category] is { } g && WireNames<GroundCategory>.TryParse(g, out var category) ? category : null,
                c.Count,
                c.Suppressed))
            .OrderBy(r => r.Period, StringComparer.Ordinal).ThenBy(r => r.Country, StringComparer.Ordinal)
            .ThenBy(r => r.Platform).ThenBy(r => r.Category)
            .ToList();
    }

    /// <summary>
    /// The finest cells of the whole periods that <paramref name="from"/> and <paramref name="to"/> overlap: a part of a
    /// period would be one more table to subtract from the whole.
    /// </summary>
    public static async Task<IReadOnlyList<PatternCell>> LoadWholePeriodsAsync(Marten.IQuerySession session, DateOnly? from, DateOnly? to, Grain grain, CancellationToken ct)
    {
        var (first, last) = WholePeriods(from, to, grain);
        var query = session.Query<PatternCell>().AsQueryable();
        if (first is { } f) query = query.Where(c => c.Day >= f);
        if (last is { } l) query = query.Where(c => c.Day <= l);
        return await Marten.QueryableExtensions.ToListAsync(query, ct);
    }

    /// <summary>The days of the whole periods that <paramref name="from"/> and <paramref name="to"/> overlap.</summary>
    public static (DateOnly? From, DateOnly? To) WholePeriods(DateOnly? from, DateOnly? to, Grain grain) =>
        (from is { } f ? PeriodStart(f, grain) : null, to is { } t ? PeriodEnd(t, grain) : null);

    public static DateOnly PeriodEnd(DateOnly day, Grain grain) => grain switch
    {
        Grain.Day => day,
        Grain.Week => PeriodStart(day, grain).AddDays(6),
        Grain.Month => PeriodStart(day, grain).AddMonths(1).AddDays(-1),
        _ => throw new ArgumentOutOfRangeException(nameof(grain)),
    };

    /// <summary>A period is named by its first day: the day itself, the Monday of its ISO week, or the 1st of its month.</summary>
    public static DateOnly PeriodStart(DateOnly day, Grain grain) => grain switch
    {
        Grain.Day => day,
        Grain.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        Grain.Month => new DateOnly(day.Year, day.Month, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(grain)),
    };

    public static string ToCsv(IReadOnlyList<PatternRow> rows, IReadOnlySet<Dimension> groupBy)
    {
        var csv = new StringBuilder("period");
        if (groupBy.Contains(Dimension.Country)) csv.Append(",country");
        if (groupBy.Contains(Dimension.Platform)) csv.Append(",platform");
        if (groupBy.Contains(Dimension.Category)) csv.Append(",category");
        csv.Append(",count,suppressed\r\n");
        foreach (var r in rows)
        {
            csv.Append(r.Period);
            // Every value is a code from the taxonomy, so none needs quoting.
            if (groupBy.Contains(Dimension.Country)) csv.Append(',').Append(r.Country);
            if (groupBy.Contains(Dimension.Platform)) csv.Append(',').Append(WireNames<Platform>.Of(r.Platform!.Value));
            if (groupBy.Contains(Dimension.Category)) csv.Append(',').Append(WireNames<GroundCategory>.Of(r.Category!.Value));
            csv.Append(',').Append(r.Count?.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(r.Suppressed ? "true" : "false").Append("\r\n");
        }
        return csv.ToString();
    }
}
