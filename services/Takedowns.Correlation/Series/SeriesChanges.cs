using JasperFx.Events;
using Marten.Events.Projections;

namespace Takedowns.Correlation.Series;

/// <summary>
/// Which days of a country's series have changed, so spike detection rescans only those (and the days whose baselines
/// they are part of), however far back they lie: an organisation importing last year's reports gets last year's spikes.
/// Changes are kept by the sequence number of the event that made them, in runs of up to <see cref="RunLength"/> with the
/// earliest and latest day each run touched, so a scanner that remembers the sequence it last scanned up to knows which
/// days to look at again, and this document has no writer but its projection.
/// </summary>
public sealed class SeriesChanges
{
    public const int RunLength = 1000;
    /// <summary>Runs kept; a scanner further behind than this rescans the country from its first day.</summary>
    public const int RunsKept = 1000;

    public string Id { get; set; } = "";
    /// <summary>The sequence of the latest change.</summary>
    public long Last { get; set; }
    public List<ChangeRun> Runs { get; set; } = [];

    /// <summary>
    /// The days changed by events after sequence <paramref name="seen"/>, or null when none; every day when the runs no
    /// longer reach back that far.
    /// </summary>
    public (DateOnly From, DateOnly To)? ChangedSince(long seen)
    {
        if (Last <= seen) return null;
        if (Runs.Count == 0 || (Runs[0].Pruned && Runs[0].First > seen)) return (DateOnly.MinValue, DateOnly.MaxValue);
        var runs = Runs.Where(r => r.Last > seen).ToList();
        return (runs.Min(r => r.From), runs.Max(r => r.To));
    }

    public void Record(long sequence, DateOnly day)
    {
        Last = Math.Max(Last, sequence);
        var run = Runs.Count == 0 ? null : Runs[^1];
        if (run is null || run.Changes >= RunLength)
        {
            Runs.Add(new ChangeRun { First = sequence, Last = sequence, From = day, To = day, Changes = 1 });
            if (Runs.Count > RunsKept)
            {
                Runs.RemoveAt(0);
                Runs[0].Pruned = true;
            }
            return;
        }
        run.Changes++;
        run.Last = Math.Max(run.Last, sequence);
        if (day < run.From) run.From = day;
        if (day > run.To) run.To = day;
    }
}

/// <summary>
/// Changes by events <see cref="First"/> to <see cref="Last"/> (sequences) touched days <see cref="From"/> to <see cref="To"/>.
/// <see cref="Pruned"/>: older runs were dropped, so what came before <see cref="First"/> is unknown.
/// </summary>
public sealed class ChangeRun
{
    public long First { get; set; }
    public long Last { get; set; }
    public DateOnly From { get; set; }
    public DateOnly To { get; set; }
    public int Changes { get; set; }
    public bool Pruned { get; set; }
}

/// <summary>Records every change of a country's daily counts, beside <see cref="SliceDayProjection"/>.</summary>
public sealed partial class SeriesChangesProjection : MultiStreamProjection<SeriesChanges, string>
{
    public SeriesChangesProjection()
    {
        Identity<IncidentObserved>(e => e.Country);
        Identity<IncidentUnobserved>(e => e.Country);
    }

    public SeriesChanges Create(IEvent<IncidentObserved> e) => First(e.Data.Country, e.Sequence, e.Data.OccurredOn);

    public SeriesChanges Create(IEvent<IncidentUnobserved> e) => First(e.Data.Country, e.Sequence, e.Data.OccurredOn);

    private static SeriesChanges First(string country, long sequence, DateOnly day)
    {
        var changes = new SeriesChanges { Id = country };
        changes.Record(sequence, day);
        return changes;
    }

    public void Apply(IEvent<IncidentObserved> e, SeriesChanges changes) => changes.Record(e.Sequence, e.Data.OccurredOn);

    public void Apply(IEvent<IncidentUnobserved> e, SeriesChanges changes) => changes.Record(e.Sequence, e.Data.OccurredOn);
}
