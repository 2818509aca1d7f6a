using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Takedowns.Contracts;

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

/// <summary>Aggregates cells into the public table, suppressing every cell of 1..k-1 reports.</summary>
public static class PatternTable
{
    public static IReadOnlyList<PatternRow> Build(
        IEnumerable<PatternCell> cells, IReadOnlySet<Dimension> groupBy, Grain grain, int threshold) =>
        cells
            .GroupBy(c => (
                Period: PeriodStart(c.Day, grain),
                Country: groupBy.Contains(Dimension.Country) ? c.Country : null,
                Platform: groupBy.Contains(Dimension.Platform) ? c.Platform : (Platform?)null,
                Category: groupBy.Contains(Dimension.Category) ? c.Category : (GroundCategory?)null))
            .Select(g => (g.Key, Count: g.Sum(c => c.Count)))
            .Where(g => g.Count > 0)
            .OrderBy(g => g.Key.Period).ThenBy(g => g.Key.Country, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Platform).ThenBy(g => g.Key.Category)
            .Select(g => new PatternRow(
                g.Key.Period.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                g.Key.Country, g.Key.Platform, g.Key.Category,
                g.Count >= threshold ? g.Count : null,
                Suppressed: g.Count < threshold))
            .ToList();

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
