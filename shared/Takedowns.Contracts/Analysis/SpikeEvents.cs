namespace Takedowns.Contracts.Analysis;

/// <summary>
/// Correlation found more incidents in a slice than its baseline explains. <paramref name="Start"/> to <paramref name="End"/>
/// (inclusive) is the window as known when it was raised; <paramref name="Expected"/> is the baseline's expectation for that
/// window; <paramref name="PValue"/> is the smallest per-slice p-value, before the false-discovery-rate control that let it
/// through; <paramref name="Score"/> is -log10 of that p-value. <paramref name="Cells"/>: when the rise was found by
/// pooling several of the slice's finest cells, those cells (the counts are theirs); empty when the slice rose as a whole.
/// The message id is the id of the Correlation event. <paramref name="Reinstated"/>: a spike that had ended withdrawn stands
/// again, as of <paramref name="DetectedAt"/> (a consumer keeps whichever of its detection and end is the later).
/// </summary>
public sealed record SpikeDetected(
    Guid SpikeId, Slice Slice, DateOnly Start, DateOnly End, int Observed, double Expected, double Score, double PValue,
    string Method, IReadOnlyList<CivicPeriodRef> CivicPeriods, DateTimeOffset DetectedAt, IReadOnlyList<Slice>? Cells = null, bool Reinstated = false);

/// <summary>The spike is over: its final window and counts. A spike that later data no longer supports ends as <c>Withdrawn</c>.</summary>
public sealed record SpikeEnded(
    Guid SpikeId, Slice Slice, DateOnly Start, DateOnly End, int Observed, double Expected, bool Withdrawn, DateTimeOffset EndedAt);
