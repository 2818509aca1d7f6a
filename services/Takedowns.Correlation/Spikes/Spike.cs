using Takedowns.Contracts.Analysis;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Spikes;

/// <summary>
/// A spike was found: a slice, its window so far, and how far the counts rose above the baseline. <paramref name="Cells"/>:
/// the cells of the slice a subset scan pooled, whose counts these are (null or empty: the slice as a whole).
/// </summary>
public sealed record SpikeRaised(
    Guid SpikeId, Slice Slice, DateOnly Start, DateOnly End, int Observed, double Expected, double PValue, string Method,
    IReadOnlyList<CivicPeriodRef> CivicPeriods, DateOnly FirstAlarm, DateTimeOffset RaisedAt, IReadOnlyList<Slice>? Cells = null,
    bool FoundAfterwards = false);

/// <summary>
/// The spike went on, or late reports changed its counts (or the cells pooled in it), or moved its first alarm: reports
/// of its first days that arrived after it was raised make it alarm earlier. <paramref name="FirstAlarm"/> null: as it was.
/// </summary>
public sealed record SpikeRevised(
    Guid SpikeId, DateOnly End, int Observed, double Expected, double PValue, string Method, IReadOnlyList<CivicPeriodRef> CivicPeriods,
    DateTimeOffset RevisedAt, IReadOnlyList<Slice>? Cells = null, DateOnly? FirstAlarm = null);

/// <summary>The spike is over; <paramref name="Withdrawn"/> when later data (retracted or amended reports) no longer supports it.</summary>
public sealed record SpikeClosed(Guid SpikeId, DateOnly End, int Observed, double Expected, bool Withdrawn, DateTimeOffset ClosedAt);

/// <summary>
/// A withdrawn spike the data shows again (the reports that took it away came back, or more of its days arrived): it
/// stands again, with its window and counts as now found, open until a <see cref="SpikeClosed"/> ends it.
/// </summary>
public sealed record SpikeReinstated(
    Guid SpikeId, DateOnly End, int Observed, double Expected, double PValue, string Method, IReadOnlyList<CivicPeriodRef> CivicPeriods,
    DateOnly FirstAlarm, DateTimeOffset ReinstatedAt, IReadOnlyList<Slice>? Cells = null);

/// <summary>A spike as analysts see it. Its id is derived from its slice and first day, so a rescan finds the same spike.</summary>
public sealed record Spike(
    Guid Id, Slice Slice, string Country, DateOnly Start, DateOnly End, int Observed, double Expected, double PValue, string Method,
    IReadOnlyList<CivicPeriodRef> CivicPeriods, DateOnly FirstAlarm, bool Open, bool Withdrawn, DateTimeOffset RaisedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<Slice>? Cells = null, bool FoundAfterwards = false)
{
    public static Guid IdOf(Slice slice, DateOnly start) => NameBasedGuid.Create($"spike:{slice.Key}:{start:yyyy-MM-dd}");

    public double Score => -Math.Log10(Math.Max(PValue, 1e-300));

    public static Spike Create(SpikeRaised e) => new(e.SpikeId, e.Slice, e.Slice.Country, e.Start, e.End, e.Observed, e.Expected, e.PValue,
        e.Method, e.CivicPeriods, e.FirstAlarm, true, false, e.RaisedAt, e.RaisedAt, e.Cells ?? [], e.FoundAfterwards);

    public static Spike Apply(SpikeRevised e, Spike s) => s with
    {
        End = e.End, Observed = e.Observed, Expected = e.Expected, PValue = e.PValue, Method = e.Method, CivicPeriods = e.CivicPeriods, UpdatedAt = e.RevisedAt,
        Cells = e.Cells ?? s.Cells, FirstAlarm = e.FirstAlarm ?? s.FirstAlarm,
    };

    public static Spike Apply(SpikeReinstated e, Spike s) => s with
    {
        End = e.End, Observed = e.Observed, Expected = e.Expected, PValue = e.PValue, Method = e.Method, CivicPeriods = e.CivicPeriods,
        FirstAlarm = e.FirstAlarm, Cells = e.Cells ?? s.Cells, Open = true, Withdrawn = false, UpdatedAt = e.ReinstatedAt,
    };

    public static Spike Apply(SpikeClosed e, Spike s) => s with
    {
        End = e.End, Observed = e.Observed, Expected = e.Expected, Open = false, Withdrawn = e.Withdrawn, UpdatedAt = e.ClosedAt,
    };
}

/// <summary>Pure decisions: what to append so the stored spikes match what the detector now finds.</summary>
public static class SpikeDecisions
{
    /// <summary>
    /// Late reports (an organisation importing its history, say) can change a spike that has already ended, or take it
    /// away: an ended spike is revised or withdrawn like an open one, so the stored spikes stay what a rebuild from the
    /// history would give. A withdrawn spike the data shows again is reinstated (and ended at once if it is over).
    /// </summary>
    /// <param name="found">The episode as found now, or null when the data no longer shows it.</param>
    public static object[] Reconcile(Spike? stored, SpikeEpisode? found, IReadOnlyList<CivicPeriodRef> periods, DateTimeOffset now)
    {
        if (found is null)
            return stored is { Withdrawn: false } ? [new SpikeClosed(stored.Id, stored.End, stored.Observed, stored.Expected, Withdrawn: true, now)] : [];
        var id = Spike.IdOf(found.Slice, found.Start);
        if (stored is null)
        {
            // Found more than a few days after it began to alarm: in history imported or reported late, not as it happened.
            bool afterwards = DateOnly.FromDateTime(now.UtcDateTime).DayNumber - found.FirstAlarm.DayNumber > SpikeScanner.LiveDays;
            object raised = new SpikeRaised(id, found.Slice, found.Start, found.End, found.Observed, found.Expected, found.PValue, found.Method,
                periods, found.FirstAlarm, now, found.Cells, afterwards);
            return found.Open ? [raised] : [raised, new SpikeClosed(id, found.End, found.Observed, found.Expected, false, now)];
        }
        if (stored.Withdrawn)
        {
            var reinstated = new SpikeReinstated(id, found.End, found.Observed, found.Expected, found.PValue, found.Method, periods, found.FirstAlarm, now, found.Cells);
            return found.Open ? [reinstated] : [reinstated, new SpikeClosed(id, found.End, found.Observed, found.Expected, false, now)];
        }
        var events = new List<object>();
        if (stored.End != found.End || stored.Observed != found.Observed || Math.Abs(stored.Expected - found.Expected) > 1e-6 ||
            stored.PValue != found.PValue || !stored.CivicPeriods.SequenceEqual(periods) || !(stored.Cells ?? []).SequenceEqual(found.Cells) ||
            stored.FirstAlarm != found.FirstAlarm)
            events.Add(new SpikeRevised(id, found.End, found.Observed, found.Expected, found.PValue, found.Method, periods, now, found.Cells,
                found.FirstAlarm));
        if (stored.Open && !found.Open) events.Add(new SpikeClosed(id, found.End, found.Observed, found.Expected, false, now));
        return [.. events];
    }
}
