using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;

namespace Takedowns.Correlation.Spikes;

/// <summary>A day's count in the finest slice, as the series store keeps it.</summary>
public readonly record struct CellDay(DateOnly Day, string Country, Platform Platform, GroundCategory Category, SubjectType SubjectType, int Count);

/// <summary>
/// Daily incident counts of every slice over a run of days: the finest cells and every coarser slice they add up to
/// (country; country x platform; country x category; country x platform x category; and each of those per subject type).
/// </summary>
public sealed class SeriesSet
{
    public DateOnly Origin { get; }
    public int Days { get; }
    public IReadOnlyDictionary<Slice, int[]> Counts { get; }

    private SeriesSet(DateOnly origin, int days, Dictionary<Slice, int[]> counts) => (Origin, Days, Counts) = (origin, days, counts);

    public DateOnly DayAt(int index) => Origin.AddDays(index);

    public int IndexOf(DateOnly day) => day.DayNumber - Origin.DayNumber;

    /// <summary>Every slice a cell counts in, the cell itself last.</summary>
    public static IEnumerable<Slice> SlicesOf(string country, Platform platform, GroundCategory category, SubjectType subjectType)
    {
        foreach (SubjectType? s in new SubjectType?[] { null, subjectType })
        {
            yield return new Slice(country, null, null, s);
            yield return new Slice(country, platform, null, s);
            yield return new Slice(country, null, category, s);
            yield return new Slice(country, platform, category, s);
        }
    }

    /// <summary>The parent a slice borrows strength from: its country's total, or the country itself for none.</summary>
    public static Slice? ParentOf(Slice slice) =>
        slice.Platform is null && slice.Category is null && slice.SubjectType is null ? null : new Slice(slice.Country);

    /// <summary>The kind of the finest cells, which fix platform, category and subject type.</summary>
    public const int Finest = 7;

    /// <summary>Slices of one kind (which of platform, category and subject type they fix), as a small number.</summary>
    public static int KindOf(Slice slice) =>
        (slice.Platform is null ? 0 : 1) | (slice.Category is null ? 0 : 2) | (slice.SubjectType is null ? 0 : 4);

    public static SeriesSet From(IEnumerable<CellDay> cells, DateOnly from, DateOnly to)
    {
        if (to < from) throw new ArgumentException("'to' is before 'from'.", nameof(to));
        int days = to.DayNumber - from.DayNumber + 1;
        var counts = new Dictionary<Slice, int[]>();
        foreach (var cell in cells)
        {
            if (cell.Count == 0 || cell.Day < from || cell.Day > to) continue;
            int i = cell.Day.DayNumber - from.DayNumber;
            foreach (var slice in SlicesOf(cell.Country, cell.Platform, cell.Category, cell.SubjectType))
            {
                if (!counts.TryGetValue(slice, out var series)) counts[slice] = series = new int[days];
                series[i] += cell.Count;
            }
        }
        return new SeriesSet(from, days, counts);
    }
}
