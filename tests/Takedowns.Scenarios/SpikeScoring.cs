using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;

namespace Takedowns.Scenarios;

/// <summary>A spike as a detector reported it.</summary>
public sealed record DetectedSpike(Slice Slice, DateOnly Start, DateOnly End, DateOnly FirstAlarm);

/// <summary>How well spikes were found: of the reference bursts (3 days, 3 SD or more) and of all planted ones.</summary>
public sealed record SpikeScore(
    int Reference, int ReferenceDetected, int Planted, int PlantedDetected, int FalseAlarms, double SeriesYears, double MedianDaysToDetection,
    int ReferenceInSeveralCells = 0, int ReferenceInSeveralCellsDetected = 0, IReadOnlyList<int>? Delays = null,
    IReadOnlyList<int>? ReferenceDelays = null)
{
    public double ReferenceDetection => Reference == 0 ? double.NaN : (double)ReferenceDetected / Reference;
    public double PlantedDetection => Planted == 0 ? double.NaN : (double)PlantedDetected / Planted;
    public double FalseAlarmsPerSeriesYear => FalseAlarms / SeriesYears;

    public override string ToString() =>
        $"reference bursts detected {ReferenceDetected}/{Reference} ({ReferenceDetection:P0}; in 2-4 cells {ReferenceInSeveralCellsDetected}/{ReferenceInSeveralCells}), " +
        $"all planted {PlantedDetected}/{Planted}, " +
        $"false alarms {FalseAlarms} ({FalseAlarmsPerSeriesYear:F3} per series-year over {SeriesYears:F0} series-years), median days to detection {MedianDaysToDetection:F1}";
}

public static class SpikeScoring
{
    /// <summary>Days after a planted spike ends in which an alarm still counts as finding it.</summary>
    public const int Tolerance = 3;

    public static bool Contains(Slice slice, string country, Platform platform, GroundCategory category, SubjectType subjectType) =>
        slice.Country == country && (slice.Platform ?? platform) == platform && (slice.Category ?? category) == category &&
        (slice.SubjectType ?? subjectType) == subjectType;

    public static bool IsReference(PlantedSpike s) => s.Days == 3 && s.StandardDeviations >= 3;

    /// <param name="series">How many series were watched (every slice with data).</param>
    /// <param name="from">The first day detections were looked for; earlier alarms are ignored.</param>
    public static SpikeScore Score(Scenario scenario, IReadOnlyList<DetectedSpike> detected, int series, DateOnly from, DateOnly to)
    {
        var inRange = detected.Where(d => d.FirstAlarm >= from && d.FirstAlarm <= to).ToList();
        bool Finds(DetectedSpike d, PlantedSpike p) =>
            p.Cells.Any(c => Contains(d.Slice, c.Country, c.Platform, c.Category, c.SubjectType)) &&
            d.FirstAlarm >= p.Start && d.FirstAlarm <= p.End.AddDays(Tolerance);
        var delays = new List<int>();
        var referenceDelays = new List<int>();
        int referenceDetected = 0, plantedDetected = 0, severalDetected = 0;
        // A spike planted before the first day looked at (one put in an early civic period) cannot be found: not counted.
        var planted = scenario.Spikes.Where(p => p.Start >= from).ToList();
        foreach (var p in planted)
        {
            var first = inRange.Where(d => Finds(d, p)).OrderBy(d => d.FirstAlarm).FirstOrDefault();
            if (first is null) continue;
            plantedDetected++;
            if (IsReference(p)) referenceDetected++;
            if (IsReference(p) && p.Cells.Count > 1) severalDetected++;
            delays.Add(first.FirstAlarm.DayNumber - p.Start.DayNumber);
            if (IsReference(p)) referenceDelays.Add(first.FirstAlarm.DayNumber - p.Start.DayNumber);
        }
        int falseAlarms = inRange.Count(d => !Explained(scenario, d));
        double years = (to.DayNumber - from.DayNumber + 1) / 365.25;
        delays.Sort();
        return new SpikeScore(planted.Count(IsReference), referenceDetected, planted.Count, plantedDetected,
            falseAlarms, series * years, delays.Count == 0 ? double.NaN : delays[delays.Count / 2],
            planted.Count(p => IsReference(p) && p.Cells.Count > 1), severalDetected, delays, referenceDelays);
    }

    /// <summary>Whether a detection is a planted spike, a news-driven burst or a planted campaign's trace, rather than a false alarm.</summary>
    public static bool Explained(Scenario scenario, DetectedSpike d) =>
        scenario.Spikes.Any(p => p.Cells.Any(c => Contains(d.Slice, c.Country, c.Platform, c.Category, c.SubjectType)) &&
                                 d.Start <= p.End.AddDays(Tolerance) && d.End >= p.Start) ||
        scenario.OrganicBursts.Any(b => b.Country == d.Slice.Country && d.Start <= b.End.AddDays(Tolerance) && d.End >= b.Start) ||
        scenario.Reports.Any(r => r.Campaign is not null && Contains(d.Slice, r.Country, r.Platform, r.Category, r.SubjectType) &&
                                  DateOnly.FromDateTime(r.OccurredAt.UtcDateTime) is var day && day >= d.Start.AddDays(-7) && day <= d.End);

    /// <summary>Incidents a day per finest cell (a takedown reported twice counts once).</summary>
    public static IEnumerable<(DateOnly Day, string Country, Platform Platform, GroundCategory Category, SubjectType SubjectType, int Count)> Cells(Scenario scenario) =>
        scenario.Reports.Where(r => !r.Duplicate)
            .GroupBy(r => (Day: DateOnly.FromDateTime(r.OccurredAt.UtcDateTime), r.Country, r.Platform, r.Category, r.SubjectType))
            .Select(g => (g.Key.Day, g.Key.Country, g.Key.Platform, g.Key.Category, g.Key.SubjectType, g.Count()));
}

/// <summary>
/// CDC EARS C2, the reference to beat: today's count against the mean and standard deviation of the 7 days that end 2
/// days before it; an alarm when the standardised excess passes <see cref="Threshold"/> (3 by default). A zero standard
/// deviation is floored, as the public implementations do, so one event after an all-zero week alarms.
/// </summary>
public sealed class EarsC2(double threshold = 3)
{
    public double Threshold { get; } = threshold;

    public IReadOnlyList<DetectedSpike> Detect(IReadOnlyDictionary<Slice, int[]> series, DateOnly origin, int from, int to)
    {
        var found = new List<DetectedSpike>();
        foreach (var (slice, counts) in series)
        {
            int? open = null, first = null, last = null;
            for (int t = Math.Max(from, 9); t <= to && t < counts.Length; t++)
            {
                double mean = 0, sq = 0;
                for (int u = t - 9; u <= t - 3; u++) mean += counts[u];
                mean /= 7;
                for (int u = t - 9; u <= t - 3; u++) sq += (counts[u] - mean) * (counts[u] - mean);
                double sd = Math.Max(Math.Sqrt(sq / 6), 0.2);
                bool alarm = (counts[t] - mean) / sd > Threshold;
                if (alarm)
                {
                    open ??= t;
                    first ??= t;
                    last = t;
                }
                else if (open is not null && t - last >= 2)
                {
                    found.Add(new DetectedSpike(slice, origin.AddDays(open.Value), origin.AddDays(last!.Value), origin.AddDays(first!.Value)));
                    (open, first, last) = (null, null, null);
                }
            }
            if (open is not null) found.Add(new DetectedSpike(slice, origin.AddDays(open.Value), origin.AddDays(last!.Value), origin.AddDays(first!.Value)));
        }
        return found;
    }
}
