using Marten.Events.Projections;
using Takedowns.Contracts;

namespace Takedowns.Correlation.Series;

/// <summary>
/// Incidents that occurred on one day in the finest slice (country x platform x ground category x subject type). Coarser
/// slices are sums of these, so every series detection reads comes from one table.
/// </summary>
public sealed class SliceDay
{
    public string Id { get; set; } = "";
    public DateOnly Day { get; set; }
    public string Country { get; set; } = "";
    public Platform Platform { get; set; }
    public GroundCategory Category { get; set; }
    public SubjectType SubjectType { get; set; }
    public int Count { get; set; }

    public static string KeyOf(DateOnly day, string country, Platform platform, GroundCategory category, SubjectType subjectType) =>
        $"{day:yyyy-MM-dd}|{country}|{WireNames<Platform>.Of(platform)}|{WireNames<GroundCategory>.Of(category)}|{WireNames<SubjectType>.Of(subjectType)}";

    public static string KeyOf(IncidentObserved e) => KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category, e.SubjectType);

    public static string KeyOf(IncidentUnobserved e) => KeyOf(e.OccurredOn, e.Country, e.Platform, e.Category, e.SubjectType);
}

/// <summary>Folds observed incidents into daily counts by the day the takedown occurred, so late reports update the past.</summary>
public sealed partial class SliceDayProjection : MultiStreamProjection<SliceDay, string>
{
    public SliceDayProjection()
    {
        Identity<IncidentObserved>(SliceDay.KeyOf);
        Identity<IncidentUnobserved>(SliceDay.KeyOf);
    }

    public SliceDay Create(IncidentObserved e) => new()
    {
        Id = SliceDay.KeyOf(e),
        Day = e.OccurredOn,
        Country = e.Country,
        Platform = e.Platform,
        Category = e.Category,
        SubjectType = e.SubjectType,
        Count = 1,
    };

    public void Apply(IncidentObserved _, SliceDay count) => count.Count++;

    public void Apply(IncidentUnobserved _, SliceDay count) => count.Count--;
}

/// <summary>
/// How many days after the takedown reports arrive: a histogram of reports submitted one by one (imports are backfills
/// and say nothing about it). Detection uses it to expect fewer incidents on recent days, whose reports are still coming.
/// </summary>
public sealed class ReportingDelays
{
    public const string TheId = "reporting-delays";
    public const int MaxDays = 60;

    public string Id { get; set; } = TheId;
    /// <summary>Reports by days of delay; the last bucket holds every delay of <see cref="MaxDays"/> days or more.</summary>
    public long[] Reports { get; set; } = new long[MaxDays + 1];

    /// <summary>The share of reports that arrive within <paramref name="days"/> days; 1 while too few reports tell.</summary>
    public double Completeness(int days, int minReports = 100)
    {
        long total = Reports.Sum();
        if (total < minReports || days >= MaxDays) return 1;
        long within = Reports.Take(Math.Max(0, days) + 1).Sum();
        return Math.Max(0.05, (double)within / total);
    }
}

public sealed partial class ReportingDelaysProjection : MultiStreamProjection<ReportingDelays, string>
{
    public ReportingDelaysProjection()
    {
        Identity<ReportObserved>(_ => ReportingDelays.TheId);
    }

    public ReportingDelays Create(ReportObserved e)
    {
        var delays = new ReportingDelays();
        Apply(e, delays);
        return delays;
    }

    public void Apply(ReportObserved e, ReportingDelays delays)
    {
        if (e.Imported) return;
        int days = DateOnly.FromDateTime(e.ReportedAt.UtcDateTime).DayNumber - e.OccurredOn.DayNumber;
        delays.Reports[Math.Clamp(days, 0, ReportingDelays.MaxDays)]++;
    }
}
