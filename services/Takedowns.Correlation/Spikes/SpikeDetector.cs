using MathNet.Numerics;
using Takedowns.Contracts.Analysis;

namespace Takedowns.Correlation.Spikes;

/// <summary>The detector's knobs. The defaults are the ones the detection benchmark was run with.</summary>
public sealed record SpikeSettings
{
    /// <summary>Days of baseline, ending <see cref="GuardDays"/> before the day assessed.</summary>
    public int BaselineDays { get; init; } = 84;
    /// <summary>Recent days the baseline leaves out, so a build-up does not teach the baseline that it is normal.</summary>
    public int GuardDays { get; init; } = 7;
    /// <summary>Fewest baseline days (outside civic periods) a country needs before its slices are assessed.</summary>
    public int MinBaselineDays { get; init; } = 21;
    /// <summary>Fewest incidents in a window for it to count as a spike.</summary>
    public int MinCount { get; init; } = 2;
    /// <summary>
    /// Windows, in days, ending on the day assessed, that the tail test looks at. The 2-day window is the one a burst
    /// fills on its second day; nested windows are combined by their exact joint law (<see cref="NestedWindows"/>), so
    /// one more costs little.
    /// </summary>
    public IReadOnlyList<int> Windows { get; init; } = [1, 2, 3, 7];
    /// <summary>
    /// Windows over which a quiet cell read with its days (<see cref="SpreadWithinWindows"/>) is tested (null: the
    /// <see cref="Windows"/> of every slice; none wider than the widest of those). In a quiet cell, windows shorter than
    /// three days see mostly clumps (incidents on one day: often one account's posts, removed and reported together) and
    /// the first days of rises that the three-day window sees as well; each window a cell is read over adds to what its
    /// combined p-value pays for having several.
    /// </summary>
    public IReadOnlyList<int>? SparseWindows { get; init; } = [3, 7];
    /// <summary>Days the GLR-CUSUM runs over, and the rise in rate it watches for.</summary>
    public int CusumDays { get; init; } = 28;
    public double CusumRatio { get; init; } = 2;
    /// <summary>
    /// Share of a busy slice's level the GLR-CUSUM takes beside the windows (a weighted Bonferroni). A slow rise's evidence
    /// grows day by day, so a small share costs the CUSUM a day or so; the windows, which decide sudden bursts, keep the rest.
    /// </summary>
    public double CusumShare { get; init; } = 0.2;
    /// <summary>
    /// Whether a sparse cell's windows read, beside their counts, on how many days the reports fell (<see cref="SpreadWindows"/>):
    /// of equal counts, the one spread over more days is the more extreme.
    /// </summary>
    public bool SpreadWithinWindows { get; init; } = true;
    /// <summary>
    /// Every slice's windows combined by their exact chance, not only those that could pass (for checks: what passes is
    /// the same, at several times the work).
    /// </summary>
    public bool ExactEverywhere { get; init; }
    /// <summary>How many days of its parent's rate a slice's own rate is pulled toward (empirical-Bayes shrinkage).</summary>
    public double Shrinkage { get; init; } = 3;
    /// <summary>
    /// False alarms a country may cost an analyst in a year of no change: each day, Benjamini-Hochberg runs over all of a
    /// country's slices at q = this / 365, which under no change bounds the chance of any alarm that day by q. An analyst
    /// can read two a year; 1.5 spends three quarters of that and keeps the rest for data less regular than the
    /// benchmark's (on its null scenarios the alarms counted over every slice come to about the budget, 0.7 to 1.8).
    /// </summary>
    public double AlarmsPerCountryYear { get; init; } = 1.5;
    /// <summary>Fewest baseline events a slice needs before the GLR-CUSUM (which plugs a rate in) watches it.</summary>
    public int CusumMinBaseline { get; init; } = 50;
    /// <summary>
    /// Whether a finer slice's alarm inside a coarser spike can be news when its rise began within the longest window of
    /// the coarse one's, provided the finer slice saw no more than expected from the coarse spike's first day until its own
    /// rise (see <c>NewsWithin</c>).
    /// </summary>
    public bool NewsAfterQuiet { get; init; } = true;
    /// <summary>
    /// Whether an alarm of a slice that shares cells with an open spike but crosses it (neither holds the other, as a
    /// platform and a subject type do), or shares cells with a spike of pooled cells, can be news: when the cells they
    /// share hold less than half of the alarm's excess (see <c>NewsBeside</c>). Otherwise such an alarm is always folded
    /// into the open spike.
    /// </summary>
    public bool NewsBeside { get; init; } = true;
    /// <summary>
    /// Whether a finer slice's alarm inside a coarser spike can be news when its rise began within the longest window of
    /// the coarse one's, provided the finer slice held less than half of the coarse spike's excess over the days up to
    /// its first alarm: the coarse spike's event lay elsewhere (see <c>NewsWithin</c>).
    /// </summary>
    public bool NewsElsewhere { get; init; } = true;
    /// <summary>Days without an alarm that end a spike.</summary>
    public int EndAfterQuietDays { get; init; } = 2;
    /// <summary>Windows, in days, over which a country's cells are pooled by the subset scan (none: no pooling).</summary>
    public IReadOnlyList<int> PooledWindows { get; init; } = [1, 3, 7, 14];
    /// <summary>Largest p-value of a cell's own rise that the subset scan lets count toward a pooled one.</summary>
    public double PooledAlphaMax { get; init; } = 0.01;
    /// <summary>
    /// Cells with fewer baseline events than this are tested against the posterior predictive of a gamma prior fitted to
    /// their country's sparse cells (<see cref="GammaPrior"/>) instead of by the conditional test (0: never).
    /// </summary>
    public int SparsePriorBelow { get; init; } = 20;
    /// <summary>Fewest sparse cells a country needs for their prior to be fitted.</summary>
    public int SparsePriorMinCells { get; init; } = 10;
    /// <summary>Largest shape the prior may take: however alike its cells look, their rates are not taken to be nearer than this.</summary>
    public double SparsePriorMaxShape { get; init; } = 4;
    /// <summary>
    /// Days of baseline for a sparse cell (fewer than <see cref="SparsePriorBelow"/> events in <see cref="BaselineDays"/>),
    /// and for the prior of its country's sparse cells: a rate of one incident a quarter cannot be told from one a month in
    /// twelve weeks, and three incidents in three days are a spike at the one and ordinary at the other (0 or no more than
    /// <see cref="BaselineDays"/>: the same baseline as every slice). Off by default: the scanner loads and rescans days by
    /// <see cref="BaselineDays"/> (a change reaches the baselines of the 13 weeks after it), and a longer reach here would
    /// make what it finds depend on where its ranges begin; on the benchmark's families it found as many bursts as not.
    /// </summary>
    public int SparseBaselineDays { get; init; } = 0;

    /// <summary>
    /// Where a baseline holds outliers, its overdispersion is taken no higher than the top of the one-sided range, at this
    /// confidence, of what its other days show (<see cref="RobustDispersion"/>; 0: their point estimate).
    /// </summary>
    public double DispersionConfidence { get; init; } = 0.75;

    public static readonly SpikeSettings Default = new();
}

/// <summary>
/// One slice on one day: whether it could be a spike and how surprising it is. <paramref name="Cells"/>: the cells a
/// subset scan pooled (the slice is the narrowest one holding them all); null when the slice was tested on its own.
/// <paramref name="Floor"/>: the smallest p-value the slice could have reached that day given its events in baseline and
/// window together (see <see cref="SpikeDetector.Tarone"/>); 0 when not bounded.
/// </summary>
public readonly record struct SliceAssessment(
    Slice Slice, double PValue, int Start, int Observed, double Expected, string Method, IReadOnlyList<Slice>? Cells = null, double Floor = 0);

/// <summary>
/// One country's day as the detector weighed it: every slice assessed, and those that passed.
/// </summary>
/// <paramref name="Slices"/>: the tests with data that day (slices with an event in the last 13 weeks, and the subset scan);
/// <paramref name="Family"/>: those of them that could pass, which the budget is spread over.
public sealed record CountryDay(DateOnly Day, string Country, int Slices, int Family, IReadOnlyList<SliceAssessment> Assessed, IReadOnlyList<SliceAssessment> Passed);

/// <summary>
/// A spike as found in the data: a slice, a window of days (inclusive) and how far the counts rose above the baseline.
/// <paramref name="Cells"/>: where a subset scan pooled cells of the slice, the ones that rose (their counts are the
/// observed and expected ones); empty when the slice rose as a whole.
/// </summary>
public sealed record SpikeEpisode(Slice Slice, DateOnly Start, DateOnly End, int Observed, double Expected, double PValue, string Method,
    DateOnly FirstAlarm, DateOnly LastAlarm, bool Open, IReadOnlyList<Slice> Cells)
{
    public double Score => -Math.Log10(Math.Max(PValue, 1e-300));

    /// <summary>Equal when every field is, the cells compared one by one.</summary>
    public bool Equals(SpikeEpisode? other) =>
        other is not null && Slice == other.Slice && Start == other.Start && End == other.End && Observed == other.Observed &&
        Expected.Equals(other.Expected) && PValue.Equals(other.PValue) && Method == other.Method && FirstAlarm == other.FirstAlarm &&
        LastAlarm == other.LastAlarm && Open == other.Open && Cells.SequenceEqual(other.Cells);

    public override int GetHashCode() => HashCode.Combine(Slice, Start, End, Observed, PValue, FirstAlarm, Cells.Count);
}

/// <summary>
/// Finds spikes in daily incident counts, for every slice at once. Per slice and day: the conditional test (binomial, or
/// beta-binomial where days vary beyond Poisson) of the last 1, 2, 3 and 7 days against a baseline of the 12 weeks before the
/// last 7, leaving out every registered civic period of the country, with day-of-week effects taken from the country's
/// total (a cell with few baseline events: the posterior predictive of its country's sparse cells' <see cref="GammaPrior"/>
/// instead); a negative-binomial GLR-CUSUM for a doubling of the rate, for slow build-ups, where the baseline is busy; the
/// windows combined by the exact chance that any of them reaches the least p-value (<see cref="NestedWindows"/>), the CUSUM
/// beside them by a weighted Bonferroni. Per country, a subset scan pools thin rises over cells. Each day one alarm budget
/// (Benjamini-Hochberg at q = alarms per country-year / 365) is spent over the country's tests that could pass
/// (<see cref="Tarone"/>). Deterministic: the same counts, calendar and dates give the same spikes.
/// </summary>
public sealed class SpikeDetector(SpikeSettings settings)
{
    /// <summary>
    /// Assesses every day from <paramref name="from"/> to <paramref name="to"/> in order, as if on that day, and returns the spikes.
    /// </summary>
    /// <param name="excluded">Days of civic periods per country, which baselines leave out.</param>
    /// <param name="completeness">Share of a day's reports expected to have arrived by <paramref name="today"/>, by days since.</param>
    public IReadOnlyList<SpikeEpisode> Detect(SeriesSet series, Func<string, DateOnly, bool> excluded, DateOnly from, DateOnly to,
        DateOnly today, Func<int, double>? completeness = null)
    {
        var model = new BaselineModel(series, excluded, settings);
        var open = new Dictionary<Slice, Episode>();
        var done = new List<Episode>();
        var lastClosed = new Dictionary<Slice, Episode>();
        double q = settings.AlarmsPerCountryYear / 365.0;
        foreach (var (t, countries) in AssessDays(model, series, from, to, today, completeness))
        {
            foreach (var country in countries)
            {
                var raised = new HashSet<SliceAssessment>();
                foreach (var a in MostTelling(country.Passed))
                {
                    // A related slice already has a spike open: the same event, seen from a neighbouring slice.
                    if (!open.ContainsKey(a.Slice) && open.Keys.Any(s => Related(s, a.Slice))) continue;
                    Raise(a, t);
                    raised.Add(a);
                }
                // What was folded into a related alarm or spike: an alarm that is news inside every spike it was folded
                // into opens its own (see NewsWithin), and a spike opened so goes on while its slice alarms, although
                // the coarser spike around it usually alarms more tellingly.
                double cut = country.Family == 0 ? 0 : country.Passed.Count * q / country.Family;
                foreach (var a in country.Passed.OrderBy(a => a.PValue).ThenBy(a => a.Slice.Key, StringComparer.Ordinal))
                {
                    if (raised.Contains(a)) continue;
                    if (open.TryGetValue(a.Slice, out var own))
                    {
                        if (own.Inside && own.LastAlarm < t) own.Extend(t, a, model);
                        continue;
                    }
                    var holding = open.Values.Where(e => Related(e.Slice, a.Slice)).ToList();
                    if (holding.Count > 0 && holding.All(e => News(a, e, t, cut, model))) Raise(a, t, inside: true);
                }
            }
            foreach (var (slice, episode) in open.Where(p => t - p.Value.LastAlarm >= settings.EndAfterQuietDays).ToList())
            {
                done.Add(episode);
                lastClosed[slice] = episode;
                open.Remove(slice);
            }
        }
        return done.Select(e => e.ToSpike(series, closed: true)).Concat(open.Values.Select(e => e.ToSpike(series, closed: false)))
            .OrderBy(s => s.Start).ThenBy(s => s.Slice.Key, StringComparer.Ordinal).ToList();

        void Raise(SliceAssessment a, int t, bool inside = false)
        {
            if (open.TryGetValue(a.Slice, out var episode)) episode.Extend(t, a, model);
            else if (lastClosed.TryGetValue(a.Slice, out var previous) && a.Start <= previous.End + 1)
            {
                // The window reaches back into the spike just closed: it goes on (one spike, one id).
                done.Remove(previous);
                lastClosed.Remove(a.Slice);
                previous.Extend(t, a, model);
                previous.Inside |= inside;
                open[a.Slice] = previous;
            }
            else open[a.Slice] = new Episode(a, t) { Inside = inside };
        }
    }

    /// <summary>Whether an alarm folded into the open spike <paramref name="held"/> is another event all the same.</summary>
    private bool News(SliceAssessment alarm, Episode held, int t, double cut, BaselineModel model)
    {
        if (alarm.Cells is not null || alarm.Slice == held.Slice) return false;
        if (held.Pooled || (!Within(alarm.Slice, held.Slice) && !Within(held.Slice, alarm.Slice)))
            return settings.NewsBeside && NewsBeside(alarm, held, t, model);
        return Within(alarm.Slice, held.Slice) && NewsWithin(alarm, held.Slice, held.Start, held.FirstAlarm, t, cut, model);
    }

    /// <summary>
    /// Whether an alarm on day <paramref name="t"/> of a slice that crosses the open spike <paramref name="held"/> (they share
    /// cells and neither holds the other, as X and journalists do; or the spike is cells a subset scan pooled) is another
    /// event: a rise on X among bloggers while a spike of Facebook's bloggers is open is news, although the two slices
    /// share X's bloggers. It is, when the cells they share hold less than half of the alarm's excess over its window
    /// (observed minus expected): most of the rise lies where the open spike does not reach. Where they hold most of it,
    /// the alarm is the open spike's event seen from a neighbouring slice, and is folded into it.
    /// </summary>
    private static bool NewsBeside(SliceAssessment alarm, Episode held, int t, BaselineModel model)
    {
        double own = model.Excess(alarm.Slice, t, alarm.Start, t);
        if (own <= 0) return false;
        double shared = held.Members.Select(m => Shared(m, alarm.Slice)).OfType<Slice>().Sum(s => model.Excess(s, t, alarm.Start, t));
        return shared < own / 2;
    }

    /// <summary>The slice of the cells two slices share (each dimension as whichever of them fixes it); null when they share none.</summary>
    private static Slice? Shared(Slice a, Slice b) => Related(a, b)
        ? new Slice(a.Country, a.Platform ?? b.Platform, a.Category ?? b.Category, a.SubjectType ?? b.SubjectType)
        : null;

    /// <summary>
    /// Whether an alarm of a finer slice, on day <paramref name="t"/>, is news inside the spike of a coarser one
    /// (<paramref name="coarse"/>, open since day <paramref name="coarseStart"/>, first alarmed on
    /// <paramref name="coarseFirstAlarm"/>) rather than that spike seen from one of its parts. Folded in, it would only make the coarse spike a little larger, and the analyst would read its rise as having
    /// begun on the coarse spike's first day. It is news, and is raised as a spike of its own, when both hold:
    /// <list type="bullet">
    /// <item>its rise began at least the longest test window after the coarse spike's (the windows see a rise that begins
    /// within them together with the coarse one: a part of one event crosses its threshold later only because it has fewer
    /// events); or later, and the finer slice saw no more than it expected from the coarse spike's first day until its
    /// own rise; or, whenever it began, the finer slice held less than half of the coarse spike's excess over the days up
    /// to that spike's first alarm (the event that raised the coarse spike lay elsewhere: a country's spike raised by a
    /// rise on X does not hold a burst on YouTube two days later);</item>
    /// <item>it still passes the day's Benjamini-Hochberg cut (<paramref name="cut"/>) with its expectation raised by the
    /// coarse slice's elevation (observed over expected, the larger of its elevation since the coarse spike began and over
    /// the alarm's own days, so that neither a rise that grew nor days before it began understate it): a rise shared alike
    /// by every part of the coarse slice is that spike, and only a rise beyond it tells the analyst something the coarse
    /// spike does not.</item>
    /// </list>
    /// Alarms of pooled cells (a subset scan) are never news inside another spike: their p-value is the scan's, not a test
    /// of the slice whose expectation could be raised.
    /// </summary>
    private bool NewsWithin(SliceAssessment alarm, Slice coarse, int coarseStart, int coarseFirstAlarm, int t, double cut, BaselineModel model)
    {
        if (alarm.Cells is not null || alarm.Slice == coarse || !Within(alarm.Slice, coarse)) return false;
        if (alarm.Start - coarseStart < settings.Windows.Max() && !QuietUntilItsRise() && !ElsewhereAtItsStart()) return false;
        return model.PassesAbove(alarm.Slice, t, Math.Max(Elevation(coarseStart), Elevation(alarm.Start)), cut);

        // The event that raised the coarse spike lay where its excess did up to its first alarm: a slice that held less
        // than half of it was not that event.
        bool ElsewhereAtItsStart() => settings.NewsElsewhere && model.Excess(coarse, t, coarseStart, coarseFirstAlarm) is var whole &&
            whole > 0 && model.Excess(alarm.Slice, t, coarseStart, coarseFirstAlarm) < whole / 2;

        // A part of the coarse spike's event has its share of it from the first day: a slice that saw no more than it
        // expected from the day the coarse spike began until its own rise did not take part in that event's start.
        bool QuietUntilItsRise() => settings.NewsAfterQuiet && alarm.Start > coarseStart
            && model.Sum(alarm.Slice, coarseStart, alarm.Start - 1) <= model.ExpectedOver(alarm.Slice, t, coarseStart, alarm.Start - 1);

        double Elevation(int from)
        {
            double expected = model.ExpectedOver(coarse, t, from, t);
            return expected <= 0 ? 1 : Math.Max(1, model.Sum(coarse, from, t) / expected);
        }
    }

    /// <summary>
    /// Each country's days from <paramref name="from"/> to <paramref name="to"/> as the detector weighs them: the family its
    /// alarms are budgeted over, every slice assessed and the ones that pass (before related alarms are folded into one).
    /// </summary>
    public IEnumerable<CountryDay> Days(SeriesSet series, Func<string, DateOnly, bool> excluded, DateOnly from, DateOnly to,
        DateOnly today, Func<int, double>? completeness = null) =>
        AssessDays(new BaselineModel(series, excluded, settings), series, from, to, today, completeness).SelectMany(d => d.Countries);

    private IEnumerable<(int T, IReadOnlyList<CountryDay> Countries)> AssessDays(BaselineModel model, SeriesSet series, DateOnly from, DateOnly to,
        DateOnly today, Func<int, double>? completeness)
    {
        completeness ??= _ => 1;
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            int t = series.IndexOf(day);
            if (t < 0 || t >= series.Days) continue;
            var (assessed, floors) = model.AssessDay(t, d => completeness(today.DayNumber - series.DayAt(d).DayNumber));
            var countries = assessed.GroupBy(a => a.Slice.Country).Select(c =>
            {
                double q = settings.AlarmsPerCountryYear / 365.0;
                var all = c.ToList();
                Tarone(all, floors[c.Key], q, out int family);
                model.Refine(all, q, family);
                var passed = Tarone(all, floors[c.Key], q, out family);
                return new CountryDay(day, c.Key, floors[c.Key].Count, family, all, passed);
            }).ToList();
            yield return (t, countries);
        }
    }

    /// <summary>
    /// Benjamini-Hochberg over the tests that could pass (Tarone 1990; Gilbert 2005, for discrete tests). A slice with few
    /// events in baseline and window together cannot reach a small p-value however they fall: 2 incidents in 13 weeks give
    /// at best about 1e-4. Given those totals each test is exact, so a test whose smallest attainable p-value
    /// (<paramref name="floors"/>, one per test with data, the assessed ones among them) cannot pass spends nothing.
    /// K is the smallest number such that at most K tests have a floor at or below q / K; Benjamini-Hochberg then runs at
    /// <paramref name="q"/> over those tests (<paramref name="family"/> of them). Under no change the chance of any alarm
    /// stays at most q: the family still holds every test that could have passed at its share.
    /// </summary>
    public static IReadOnlyList<SliceAssessment> Tarone(IReadOnlyList<SliceAssessment> assessed, IReadOnlyList<double> floors, double q, out int family)
    {
        var sorted = floors.Order().ToArray();
        int k = 1;
        // m(K), the tests with a floor at or below q / K, falls as K grows: the first K with m(K) <= K.
        while (k < sorted.Length && Within(sorted, q / k) > k) k++;
        family = Within(sorted, q / k);
        double cut = q / k;
        var candidates = assessed.Where(a => a.Floor <= cut).ToList();
        return family == 0 ? [] : BenjaminiHochberg(candidates, q, family).ToList();

        static int Within(double[] sorted, double level)
        {
            int i = Array.BinarySearch(sorted, level);
            if (i < 0) return ~i;
            while (i + 1 < sorted.Length && sorted[i + 1] <= level) i++;
            return i + 1;
        }
    }

    /// <summary>
    /// The assessments that pass Benjamini-Hochberg at <paramref name="q"/> in a family of <paramref name="family"/> tests
    /// (at least the ones given: slices that were not assessed count as p = 1).
    /// </summary>
    public static IEnumerable<SliceAssessment> BenjaminiHochberg(IReadOnlyList<SliceAssessment> assessed, double q, int family = 0)
    {
        var sorted = assessed.OrderBy(a => a.PValue).ToList();
        int m = Math.Max(sorted.Count, family), cut = 0;
        for (int i = 0; i < sorted.Count; i++)
            if (sorted[i].PValue <= (i + 1) * q / m) cut = i + 1;
        return sorted.Take(cut);
    }

    /// <summary>
    /// One alarm per event: a rise in one cell also lifts every slice that holds it (the country, its platform, its
    /// category, its platform and category, ...), so of related slices (sharing at least one cell) alarming on the same
    /// day only the most significant is kept.
    /// </summary>
    public static IEnumerable<SliceAssessment> MostTelling(IEnumerable<SliceAssessment> alarms)
    {
        var kept = new List<SliceAssessment>();
        foreach (var a in alarms.OrderBy(a => a.PValue).ThenBy(a => a.Slice.Key, StringComparer.Ordinal))
            if (!kept.Any(k => Related(k.Slice, a.Slice))) kept.Add(a);
        return kept;
    }

    /// <summary>Whether two slices share a cell: the same country, and no dimension that both fix fixed differently.</summary>
    public static bool Related(Slice a, Slice b) =>
        a.Country == b.Country && Agree(a.Platform, b.Platform) && Agree(a.Category, b.Category) && Agree(a.SubjectType, b.SubjectType);

    private static bool Agree<T>(T? a, T? b) where T : struct => a is null || b is null || EqualityComparer<T>.Default.Equals(a.Value, b.Value);

    public static bool Within(Slice inner, Slice outer) =>
        inner.Country == outer.Country &&
        (outer.Platform is null || outer.Platform == inner.Platform) &&
        (outer.Category is null || outer.Category == inner.Category) &&
        (outer.SubjectType is null || outer.SubjectType == inner.SubjectType);

    private sealed class Episode
    {
        public Slice Slice { get; }
        public int Start { get; }
        public int FirstAlarm { get; }
        public int LastAlarm { get; private set; }
        public double PValue { get; private set; }
        public string Method { get; private set; }
        public int End { get; private set; }
        public int Observed { get; private set; }
        public double Expected { get; private set; }
        /// <summary>Whether it was raised as news inside a coarser spike (<see cref="NewsWithin"/>).</summary>
        public bool Inside { get; set; }
        /// <summary>The cells pooled alarms named, in key order; null once the slice alarmed as a whole.</summary>
        private List<Slice>? _cells;

        public Episode(SliceAssessment first, int t)
        {
            (Slice, Start, FirstAlarm, LastAlarm, End) = (first.Slice, first.Start, t, t, t);
            (PValue, Method, Observed, Expected) = (first.PValue, first.Method, first.Observed, first.Expected);
            // Pooled cells come in key order.
            _cells = first.Cells?.ToList();
        }

        /// <summary>What the spike covers: the cells it pooled, or its slice.</summary>
        public IEnumerable<Slice> Members => _cells ?? [Slice];

        public bool Pooled => _cells is not null;

        public void Extend(int t, SliceAssessment a, BaselineModel model)
        {
            if (_cells is not null && a.Cells is null)
            {
                // The whole slice alarmed: the spike is the slice's, counted afresh over the days so far.
                _cells = null;
                Observed = model.Sum(Slice, Start, End);
                Expected = model.ExpectedOver(Slice, t, Start, End);
            }
            else if (_cells is not null && a.Cells is not null)
            {
                foreach (var cell in a.Cells.Where(c => !_cells.Contains(c)))
                {
                    // A cell joins the pooled spike: its days so far count too.
                    _cells.Add(cell);
                    Observed += model.Sum(cell, Start, End);
                    Expected += model.ExpectedOver(cell, t, Start, End);
                }
                _cells.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
            }
            foreach (var member in Members)
            {
                Observed += model.Sum(member, End + 1, t);
                Expected += model.ExpectedOver(member, t, End + 1, t);
            }
            End = LastAlarm = t;
            if (a.PValue < PValue) (PValue, Method) = (a.PValue, a.Method);
        }

        public SpikeEpisode ToSpike(SeriesSet series, bool closed) => new(
            Slice, series.DayAt(Start), series.DayAt(End), Observed, Math.Round(Expected, 3), PValue, Method,
            series.DayAt(FirstAlarm), series.DayAt(LastAlarm), !closed, _cells?.ToList() ?? []);
    }
}

/// <summary>
/// Baselines, expectations and per-day assessments over a <see cref="SeriesSet"/>, with running sums for speed. Baselines
/// leave out the country's civic periods. (Leaving out the days of earlier alarms too was tried: it biases baselines down
/// and raised false alarms more than it found spikes.)
/// </summary>
internal sealed class BaselineModel
{
    private readonly SeriesSet _series;
    private readonly SpikeSettings _settings;
    private readonly Dictionary<Slice, SliceSums> _sums = [];
    private readonly Dictionary<(string Country, int Kind), int> _siblings = [];
    private readonly Dictionary<string, double[]> _weekdayCache = [];
    /// <summary>Each country's finest cells (country x platform x category x subject type), in key order.</summary>
    private readonly Dictionary<string, List<Slice>> _cells = [];
    private int _weekdayCacheDay = -1;

    /// <summary>Running sums of a slice's counts; "usable" ones skip the days its baseline leaves out.</summary>
    private sealed class SliceSums(int[] counts, bool[] usable)
    {
        public readonly int[] Counts = counts;
        public readonly bool[] Usable = usable;
        public readonly long[] All = new long[counts.Length + 1];
        public readonly long[] Sum = new long[counts.Length + 1];
        public readonly long[] Squares = new long[counts.Length + 1];
        public readonly int[] Days = new int[counts.Length + 1];
        public readonly long[][] WeekdaySum = Enumerable.Range(0, 7).Select(_ => new long[counts.Length + 1]).ToArray();
        public readonly int[][] WeekdayDays = Enumerable.Range(0, 7).Select(_ => new int[counts.Length + 1]).ToArray();

        public void Compute(Func<int, int> weekday)
        {
            for (int i = 0; i < Counts.Length; i++)
            {
                long c = Counts[i], u = Usable[i] ? 1 : 0;
                All[i + 1] = All[i] + c;
                Sum[i + 1] = Sum[i] + u * c;
                Squares[i + 1] = Squares[i] + u * c * c;
                Days[i + 1] = Days[i] + (int)u;
                int dow = weekday(i);
                for (int d = 0; d < 7; d++)
                {
                    WeekdaySum[d][i + 1] = WeekdaySum[d][i] + (d == dow ? u * c : 0);
                    WeekdayDays[d][i + 1] = WeekdayDays[d][i] + (d == dow ? (int)u : 0);
                }
            }
        }

        public (long Sum, long Squares, int Days) Over(int from, int to) =>
            (Sum[to + 1] - Sum[from], Squares[to + 1] - Squares[from], Days[to + 1] - Days[from]);
    }

    public BaselineModel(SeriesSet series, Func<string, DateOnly, bool> excluded, SpikeSettings settings)
    {
        _series = series;
        _settings = settings;
        int n = series.Days;
        var excludedDays = new Dictionary<string, bool[]>();
        foreach (var (slice, counts) in series.Counts)
        {
            if (!excludedDays.TryGetValue(slice.Country, out var civic))
            {
                // Days before the country's first report are not a baseline of zeros: nobody was reporting there yet.
                int onset = Array.FindIndex(series.Counts[new Slice(slice.Country)], c => c > 0);
                excludedDays[slice.Country] = civic = new bool[n];
                for (int i = 0; i < n; i++) civic[i] = i < onset || excluded(slice.Country, series.DayAt(i));
            }
            var sums = new SliceSums(counts, civic.Select(e => !e).ToArray());
            sums.Compute(Weekday);
            _sums[slice] = sums;
            var key = (slice.Country, SeriesSet.KindOf(slice));
            _siblings[key] = _siblings.GetValueOrDefault(key) + 1;
            if (SeriesSet.KindOf(slice) == SeriesSet.Finest)
            {
                if (!_cells.TryGetValue(slice.Country, out var cells)) _cells[slice.Country] = cells = [];
                cells.Add(slice);
            }
        }
        foreach (var cells in _cells.Values) cells.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        _finestFirst = series.Counts.Keys.OrderByDescending(s => System.Numerics.BitOperations.PopCount((uint)SeriesSet.KindOf(s)))
            .ThenBy(s => s.Key, StringComparer.Ordinal).ToList();
    }

    private int Weekday(int index) => (int)_series.DayAt(index).DayOfWeek;

    /// <summary>Every slice, the ones fixing more of platform, category and subject type first, then in key order.</summary>
    private readonly List<Slice> _finestFirst;

    /// <summary>A slice's counts over a run of days, compared day by day.</summary>
    private readonly struct Counts(int[] counts, int from, int to) : IEquatable<Counts>
    {
        private ReadOnlySpan<int> Days => counts.AsSpan(from, to - from + 1);

        public bool Equals(Counts other) => Days.SequenceEqual(other.Days);

        public override bool Equals(object? obj) => obj is Counts other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (int c in Days) hash.Add(c);
            return hash.ToHashCode();
        }
    }

    public int Sum(Slice slice, int from, int to) => from > to ? 0 : (int)(_sums[slice].All[to + 1] - _sums[slice].All[Math.Max(0, from)]);

    /// <summary>Observed minus expected over days <paramref name="from"/> to <paramref name="to"/> as on day <paramref name="t"/>; 0 for a slice without data.</summary>
    public double Excess(Slice slice, int t, int from, int to) =>
        _sums.ContainsKey(slice) ? Sum(slice, from, to) - ExpectedOver(slice, t, from, to) : 0;

    /// <summary>
    /// All slices that reached the minimum count, assessed as on day <paramref name="t"/>, and per country the smallest
    /// p-value each test with data could have reached (every slice with an event in its baseline or windows, and the
    /// pooled scan): alarms are budgeted over the tests that could pass, not over the slices that happened to reach the
    /// minimum.
    /// </summary>
    public (IReadOnlyList<SliceAssessment> Assessed, IReadOnlyDictionary<string, List<double>> Floors) AssessDay(int t, Func<int, double> completeness)
    {
        _completeness = completeness;
        ClearSizes();
        _pending.Clear();
        int longest = Math.Max(_settings.Windows.Max(), 1);
        var results = new List<SliceAssessment>();
        var floors = new Dictionary<string, List<double>>();
        int reach = _settings.BaselineDays + _settings.GuardDays;
        var seen = new HashSet<(string Country, Counts Days)>();
        foreach (var slice in _finestFirst)
        {
            if (Sum(slice, t - reach + 1, t) == 0) continue;
            // A slice without enough baseline days is never assessed: it cannot alarm and costs nothing.
            if (Floor(slice, t) is not { } floor) continue;
            // A slice whose days are those of a finer one (a platform with one category that has data) would give the
            // same p-value (same counts, country and size; no CUSUM): one test, counted once, named by the finer slice.
            if (floor > 0 && !seen.Add((slice.Country, new Counts(_sums[slice].Counts, Math.Max(0, t - reach + 1), t)))) continue;
            if (!floors.TryGetValue(slice.Country, out var own)) floors[slice.Country] = own = [];
            own.Add(floor);
            if (Sum(slice, t - Math.Max(longest, _settings.CusumDays) + 1, t) < _settings.MinCount) continue;
            if (Assess(slice, t, floor, exact: _settings.ExactEverywhere) is { } a) results.Add(a);
        }
        foreach (var (country, cells) in _cells)
        {
            if (!floors.TryGetValue(country, out var own)) continue;
            own.Add(0);
            if (AssessPooled(country, cells, t) is { } pooled) results.Add(pooled);
        }
        return (results, floors);
    }

    private readonly Dictionary<string, GammaPrior?> _priorCache = [];
    private int _priorCacheDay = -1;

    /// <summary>
    /// The prior a sparse cell is tested against on day <paramref name="t"/>: null where the slice is not a cell, has
    /// enough baseline events of its own for the conditional test, or its country has too few sparse cells to fit one.
    /// </summary>
    private GammaPrior? SparsePrior(Slice slice, int t, Baseline baseline)
    {
        if (_settings.SparsePriorBelow <= 0 || SeriesSet.KindOf(slice) != SeriesSet.Finest) return null;
        var (from, to) = BaselineOf(t);
        if (_sums[slice].Over(from, to).Sum >= _settings.SparsePriorBelow) return null;
        if (_priorCacheDay != t) (_priorCacheDay, _) = (t, ClearPriors());
        if (_priorCache.TryGetValue(slice.Country, out var cached)) return cached;
        // The country's cells share its baseline days, so they share one exposure: the prior is fitted to the counts of its
        // sparse cells over the sparse cells' baseline.
        int longFrom = SparseFrom(t);
        var counts = _cells[slice.Country].Where(c => _sums[c].Over(from, to).Sum < _settings.SparsePriorBelow).Select(c => _sums[c].Over(longFrom, to).Sum).ToList();
        return _priorCache[slice.Country] = counts.Count < _settings.SparsePriorMinCells
            ? null
            : GammaPrior.Fit(counts, baseline.Exposure, _settings.SparsePriorMaxShape);
    }

    private readonly Dictionary<(string Country, long Events, double Exposure), double> _spreadFloors = [];
    private int _spreadFloorDay = -1;

    private bool ClearSpreadFloors()
    {
        _spreadFloors.Clear();
        return true;
    }

    private bool ClearPriors()
    {
        _priorCache.Clear();
        return true;
    }

    /// <summary>
    /// The smallest p-value <see cref="Assess"/> could give the slice on day <paramref name="t"/>, given how many events
    /// its baseline and longest window hold together (n): all n on the last day, none in the baseline. Given n, every
    /// window's test is exact (the n events fall between baseline and days as a multinomial), which is what lets a slice whose floor cannot pass be
    /// left out of the family. Where the CUSUM looks, 0 (its bound is not conditional on n); null when the slice is
    /// never assessed (too few baseline days).
    /// </summary>
    private double? Floor(Slice slice, int t)
    {
        if (!Assessable(slice, t)) return null;
        var weekday = WeekdayFactors(slice.Country, t);
        // Only the baseline's events and exposure matter here; its size (a robust fit over its days) is left to the
        // slices that are assessed.
        var baseline = BaselineOf(slice, t, weekday, withSize: false);
        if (baseline.Events >= _settings.CusumMinBaseline) return 0;
        int longest = _settings.Windows.Max();
        long n = baseline.Events + Sum(slice, t - longest + 1, t);
        if (n < _settings.MinCount) return 1;
        var prior = SparsePrior(slice, t, baseline);
        // Under the prior the smallest p-value of any window given n is with all n in the window and none in the baseline
        // (the predictive tail falls as the window's count rises and as the baseline's falls: fewer baseline events make
        // the posterior stochastically smaller), on as many of its days as it has where the days are read, else on its
        // last day. The windows' combination is never below the least of their p-values, so that least is the floor.
        if (prior is { } sparse && _settings.SpreadWithinWindows)
        {
            // The same for every quiet cell of the country with as many incidents and as long a baseline that day.
            if (_spreadFloorDay != t) (_spreadFloorDay, _) = (t, ClearSpreadFloors());
            var key = (slice.Country, n, baseline.Exposure);
            if (!_spreadFloors.TryGetValue(key, out double least))
                _spreadFloors[key] = least = SpreadWindows.Floor(sparse, n, baseline.Exposure, _settings.SparseWindows ?? _settings.Windows, DayWeights(weekday, t, 1), _settings.MinCount);
            return least;
        }
        if (prior is { } g)
            return _settings.Windows.Select(w => WindowExposure(weekday, t - w + 1, t))
                .Min(window => window <= 0 ? 1 : g.Tail((int)n, 0, baseline.Exposure, window));
        // Without the prior the combination is the exact chance, given n, that any window reaches the least p-value. The
        // least p-value is smallest with all n on the last day, and only that outcome reaches it, so the smallest
        // combination is the chance that the narrowest window holds all n. Under Poisson that is (W_narrowest / (W_widest + E))^n, the narrowest window's share of the
        // exposure of baseline and widest window together; overdispersion only raises it (Jensen's inequality).
        double widest = WindowExposure(weekday, t - longest + 1, t), narrowest = WindowExposure(weekday, t - _settings.Windows.Min() + 1, t);
        return narrowest <= 0 ? 1 : Math.Pow(narrowest / (widest + baseline.Exposure), n);
    }

    /// <summary>
    /// The subset scan over a country's cells as on day <paramref name="t"/> (see <see cref="SubsetScan"/>): an assessment
    /// of the narrowest slice holding the cells that rose most together, or null when nothing rose enough to calibrate.
    /// </summary>
    private SliceAssessment? AssessPooled(string country, List<Slice> cells, int t)
    {
        if (_settings.PooledWindows.Count == 0) return null;
        int days = _settings.PooledWindows.Max();
        if (cells.Count < 2 || t - days + 1 < 0 || Sum(new Slice(country), t - days + 1, t) < _settings.MinCount) return null;
        var weekday = WeekdayFactors(country, t);
        var used = new List<Slice>();
        var counts = new List<int[]>();
        var expected = new List<double[]>();
        var sizes = new List<double>();
        var baselines = new List<Baseline>();
        foreach (var cell in cells)
        {
            if (RateOf(cell, t) is not { } rate) continue;
            used.Add(cell);
            counts.Add(_sums[cell].Counts.AsSpan(t - days + 1, days).ToArray());
            expected.Add(Enumerable.Range(t - days + 1, days).Select(u => ExpectedOn(rate.Mean, weekday, u)).ToArray());
            sizes.Add(rate.Size);
            baselines.Add(BaselineOf(cell, t, weekday, sparseReach: false));
        }
        if (used.Count < 2) return null;
        // Each cell's rise is judged by the conditional test, which stays valid on a near-empty baseline, so the scan's
        // bound (uniform or larger p-values under no change) holds for the hundreds of sparse cells it chooses from. A
        // cell can only join a subset with a p-value at most α_max; one whose events in baseline and windows together
        // could not reach it however they fell (one incident in 13 weeks) is not among those the scan chooses from.
        var exposures = _settings.PooledWindows.Select(w => WindowExposure(weekday, t - w + 1, t)).ToArray();
        int testable = 0;
        for (int i = 0; i < used.Count; i++)
        {
            long n = baselines[i].Events + counts[i].Sum();
            if (exposures.Any(w => w > 0 && Math.Pow(w / (w + baselines[i].Exposure), n) <= _settings.PooledAlphaMax)) testable++;
        }
        if (testable == 0) return null;
        var found = SubsetScan.Scan([.. counts], [.. expected], [.. sizes], _settings.PooledWindows, _settings.MinCount, _settings.PooledAlphaMax,
            (i, w, count) => baselines[i].Tail(count, WindowExposure(weekday, t - w + 1, t)), testable);
        if (found.Cells.Length == 0) return null;

        var pooled = found.Cells.Select(i => used[i]).ToList();
        string method = $"subset scan: {pooled.Count} of {used.Count} cells over {found.Window} day{(found.Window == 1 ? "" : "s")}";
        var window = new SliceAssessment(Narrowest(pooled), found.PValue, t - found.Window + 1, found.Observed, found.Expected, method,
            pooled.Count > 1 ? pooled : null);
        int origin = t - days + 1;
        return StartOfRise(window, t, u => found.Cells.Sum(i => counts[i][u - origin]), u => found.Cells.Sum(i => expected[i][u - origin]));
    }

    /// <summary>The narrowest slice that holds every one of <paramref name="cells"/> (cells of one country).</summary>
    public static Slice Narrowest(IReadOnlyList<Slice> cells) => new(
        cells[0].Country,
        cells.All(c => c.Platform == cells[0].Platform) ? cells[0].Platform : null,
        cells.All(c => c.Category == cells[0].Category) ? cells[0].Category : null,
        cells.All(c => c.SubjectType == cells[0].SubjectType) ? cells[0].SubjectType : null);

    private Func<int, double> _completeness = _ => 1;

    private (int From, int To) BaselineOf(int t) => (Math.Max(0, t - _settings.GuardDays - _settings.BaselineDays + 1), t - _settings.GuardDays);

    /// <summary>The first day of a sparse cell's baseline as on day <paramref name="t"/> (see <see cref="SpikeSettings.SparseBaselineDays"/>).</summary>
    private int SparseFrom(int t) =>
        Math.Max(0, t - _settings.GuardDays - Math.Max(_settings.BaselineDays, _settings.SparseBaselineDays) + 1);

    /// <summary>Whether the slice has enough baseline days on day <paramref name="t"/> to be assessed (<see cref="RateOf"/> is not null).</summary>
    private bool Assessable(Slice slice, int t)
    {
        var (from, to) = BaselineOf(t);
        return to >= from && _sums[slice].Over(from, to).Days >= _settings.MinBaselineDays;
    }

    private (double Mean, double Size)? RateOf(Slice slice, int t)
    {
        if (!Assessable(slice, t)) return null;
        var (from, to) = BaselineOf(t);
        var (sum, _, days) = _sums[slice].Over(from, to);
        double mean = (double)sum / days;
        if (SeriesSet.ParentOf(slice) is { } parent)
        {
            var (parentSum, _, parentDays) = _sums[parent].Over(from, to);
            double prior = parentDays == 0 ? mean : (double)parentSum / parentDays / _siblings[(slice.Country, SeriesSet.KindOf(slice))];
            mean = (sum + _settings.Shrinkage * prior) / (days + _settings.Shrinkage);
        }
        // The negative-binomial size where the slice has enough events to tell, else its country's: what makes a country's
        // days vary beyond Poisson (news, drifting levels) multiplies its slices' rates alike, which gives each slice the
        // same size (its variance μ + μ²/k, nearly Poisson where μ is small).
        var source = sum >= DispersionMinEvents ? slice : SeriesSet.ParentOf(slice) ?? slice;
        return (Math.Max(mean, 1e-3), SizeOf(source, t));
    }

    /// <summary>Fewest baseline events a slice needs for its own size to be estimated.</summary>
    private const int DispersionMinEvents = 20;

    private readonly Dictionary<Slice, double> _sizeCache = [];
    private int _sizeCacheDay = -1;
    private int[] _baselineCounts = [];
    private double[] _baselineRelative = [];

    /// <summary>
    /// The negative-binomial size of <paramref name="source"/>'s daily counts over its baseline as on day
    /// <paramref name="t"/>: by moments, α = (variance − mean) / mean², unless bursts in the baseline inflate them. Where
    /// some day of the baseline is an outlier even for Poisson (Anscombe residual above 2.58, each day's mean carrying its
    /// day-of-week factor and share of reports in), α is at most the top of the one-sided range, at
    /// <see cref="SpikeSettings.DispersionConfidence"/>, of the robust fit that leaves such days out (<see cref="RobustDispersion"/>): earlier bursts cannot make the days look more
    /// overdispersed than the rest of them could be, and a baseline that merely happens to look calm once its high days
    /// are left out is not taken for calmer than the plain moments say. Infinite (Poisson) where the baseline has too few
    /// events to tell or its excess variance is under 5 % of its mean; never below 0.5. Computed once per slice and day.
    /// </summary>
    private double SizeOf(Slice source, int t)
    {
        if (_sizeCacheDay != t) (_sizeCacheDay, _) = (t, ClearSizes());
        if (_sizeCache.TryGetValue(source, out double cached)) return cached;
        var (from, to) = BaselineOf(t);
        var sums = _sums[source];
        var (s, q, n) = sums.Over(from, to);
        double size = double.PositiveInfinity;
        double m = (double)s / Math.Max(n, 1), variance = n > 1 ? (q - n * m * m) / (n - 1) : 0;
        if (s >= DispersionMinEvents && n > 1 && variance > m * 1.05)
        {
            double alpha = (variance - m) / (m * m);
            if (_baselineCounts.Length < n) (_baselineCounts, _baselineRelative) = (new int[n], new double[n]);
            var weekday = WeekdayFactors(source.Country, t);
            int k = 0;
            bool outlier = false;
            for (int u = from; u <= to; u++)
            {
                if (!sums.Usable[u]) continue;
                double relative = weekday[(int)_series.DayAt(u).DayOfWeek] * _completeness(u);
                (_baselineCounts[k], _baselineRelative[k++]) = (sums.Counts[u], relative);
                // Judged against Poisson: against the plain fit, bursts that inflate it would hide behind what they add.
                outlier |= RobustDispersion.Anscombe(sums.Counts[u], m * relative, 0) > RobustDispersion.Cutoff;
            }
            if (outlier && RobustDispersion.Fit(_baselineCounts.AsSpan(0, k), _baselineRelative.AsSpan(0, k),
                    _settings.DispersionConfidence, ceiling: alpha) is var (_, robust))
                alpha = Math.Min(alpha, robust);
            if (alpha * m > 0.05) size = Math.Max(0.5, 1 / alpha);
        }
        return _sizeCache[source] = size;
    }

    private bool ClearSizes()
    {
        _sizeCache.Clear();
        return true;
    }

    /// <summary>Day-of-week multipliers of the country's baseline (mean 1), smoothed toward flat.</summary>
    private double[] WeekdayFactors(string country, int t)
    {
        if (_weekdayCacheDay != t) (_weekdayCacheDay, _) = (t, Clear(_weekdayCache));
        if (_weekdayCache.TryGetValue(country, out var cached)) return cached;
        return _weekdayCache[country] = ComputeWeekdayFactors(country, t);
    }

    private static bool Clear(Dictionary<string, double[]> cache)
    {
        cache.Clear();
        return true;
    }

    private double[] ComputeWeekdayFactors(string country, int t)
    {
        var (from, to) = BaselineOf(t);
        var root = _sums[new Slice(country)];
        var factors = new double[7];
        var (total, _, days) = root.Over(from, to);
        double rate = (double)total / Math.Max(days, 1);
        for (int d = 0; d < 7; d++)
        {
            long s = root.WeekdaySum[d][to + 1] - root.WeekdaySum[d][from];
            int n = root.WeekdayDays[d][to + 1] - root.WeekdayDays[d][from];
            factors[d] = rate <= 0 ? 1 : (s + 4 * rate) / (n + 4) / rate;
        }
        double mean = factors.Average();
        for (int d = 0; d < 7; d++) factors[d] /= mean;
        return factors;
    }

    private double ExpectedOn(double mean, double[] weekday, int u) =>
        mean * weekday[(int)_series.DayAt(u).DayOfWeek] * _completeness(u);

    /// <summary>What the baseline as on day <paramref name="t"/> expects over days <paramref name="from"/>..<paramref name="to"/>.</summary>
    public double ExpectedOver(Slice slice, int t, int from, int to)
    {
        if (RateOf(slice, t) is not { } rate) return 0;
        var weekday = WeekdayFactors(slice.Country, t);
        double e = 0;
        for (int u = from; u <= to; u++) e += ExpectedOn(rate.Mean, weekday, u);
        return e;
    }

    /// <summary>
    /// A slice's baseline as on day <paramref name="t"/>: its events, their exposure (baseline days weighted by the
    /// weekday factors and the share of reports in by now) and the negative-binomial size of its daily counts.
    /// </summary>
    /// <param name="sparseReach">
    /// Whether a sparse cell's baseline reaches back <see cref="SpikeSettings.SparseBaselineDays"/> (its rate is too low for
    /// twelve weeks to tell), as for its own test; the subset scan judges every cell on the same twelve weeks, as the number
    /// of cells it chooses from (those whose events could pass) would otherwise grow with the reach and cost pooled
    /// rises their power.
    /// </param>
    private Baseline BaselineOf(Slice slice, int t, double[] weekday, bool withSize = true, bool sparseReach = true)
    {
        var (from, to) = BaselineOf(t);
        var sums = _sums[slice];
        if (sparseReach && SeriesSet.KindOf(slice) == SeriesSet.Finest && sums.Over(from, to).Sum < _settings.SparsePriorBelow) from = SparseFrom(t);
        double exposure = 0;
        if (to >= from && _completeness(to) >= 1)
        {
            // Every baseline day is complete (older days are at least as complete): usable days counted by weekday.
            for (int d = 0; d < 7; d++) exposure += weekday[d] * (sums.WeekdayDays[d][to + 1] - sums.WeekdayDays[d][from]);
        }
        else
            for (int u = from; u <= to; u++)
                if (sums.Usable[u]) exposure += weekday[(int)_series.DayAt(u).DayOfWeek] * _completeness(u);
        var (sum, _, _) = sums.Over(from, to);
        return new Baseline(sum, exposure, withSize ? RateOf(slice, t)?.Size ?? double.PositiveInfinity : double.PositiveInfinity);
    }

    private double WindowExposure(double[] weekday, int from, int to)
    {
        double e = 0;
        for (int u = Math.Max(0, from); u <= to; u++) e += weekday[(int)_series.DayAt(u).DayOfWeek] * _completeness(u);
        return e;
    }

    /// <summary>
    /// Whether the slice's combined p-value on day <paramref name="t"/> (as assessed that day), were its rate
    /// <paramref name="elevation"/> times what its baseline says, is at or below <paramref name="cut"/>: whether it rose
    /// beyond a rise of that size. The windows' exact chance is worked out only where its bounds leave it open.
    /// </summary>
    public bool PassesAbove(Slice slice, int t, double elevation, double cut)
    {
        if (Assess(slice, t, 0, elevation, exact: false) is not { } a) return false;
        bool open = _pending.Remove(a, out var c);
        if (a.PValue <= cut) return true;
        return open && Below(c!) <= cut && Combine(c!) <= cut;
    }

    /// <param name="elevation">
    /// The rate under no change, as a multiple of the baseline's (1: the baseline's). The conditional test takes the window
    /// as that many times its exposure, the predictive test and the CUSUM scale their means by it.
    /// </param>
    private SliceAssessment? Assess(Slice slice, int t, double floor, double elevation = 1, bool exact = true)
    {
        if (RateOf(slice, t) is not { } rate) return null;
        var weekday = WeekdayFactors(slice.Country, t);
        var baseline = BaselineOf(slice, t, weekday);
        var prior = SparsePrior(slice, t, baseline);
        double best = 1;
        var result = default(SliceAssessment?);
        // One p-value per window (1 where it holds too few incidents to count), combined by the exact chance that any
        // window reaches the least of them (NestedWindows).
        var windows = new List<double>();
        var exposures = new List<double>();
        var counts = new List<int>();
        var spread = prior is { } sparse && _settings.SpreadWithinWindows
            ? new SpreadWindows(sparse, baseline.Events, baseline.Exposure, _settings.SparseWindows ?? _settings.Windows, DayWeights(weekday, t, elevation), _settings.MinCount)
            : null;
        foreach (int w in spread is not null ? _settings.SparseWindows ?? _settings.Windows : _settings.Windows)
        {
            int observed = Sum(slice, t - w + 1, t);
            counts.Add(observed);
            exposures.Add(WindowExposure(weekday, t - w + 1, t) * elevation);
            if (observed < _settings.MinCount)
            {
                windows.Add(1);
                continue;
            }
            double expected = 0;
            for (int u = Math.Max(0, t - w + 1); u <= t; u++) expected += ExpectedOn(rate.Mean, weekday, u);
            double exposure = exposures[^1];
            double p = spread is not null ? spread.PValue(windows.Count, observed, ActiveDays(slice, t - w + 1, t))
                : prior is { } g ? g.Tail(observed, baseline.Events, baseline.Exposure, exposure) : baseline.Tail(observed, exposure);
            windows.Add(p);
            if (p < best)
            {
                best = p;
                string test = prior is null ? "tail test" : "predictive test";
                result = new SliceAssessment(slice, p, Math.Max(0, t - w + 1), observed, expected, $"{test} over {w} day{(w == 1 ? "" : "s")}");
            }
        }

        // GLR-CUSUM for a rise by CusumRatio: the log-likelihood ratio summed from where it last fell to zero. It plugs the
        // baseline's rate in, which is only safe where the baseline has many events; the rate is taken at the top of its
        // 95 % range, so an underestimated baseline does not pass for a rise.
        double? cusumP = null;
        if (baseline.Events >= _settings.CusumMinBaseline)
        {
            double inflate = 1 + 2 / Math.Sqrt(Math.Max(1, baseline.Events));
            double cusum = 0;
            int runStart = Math.Max(0, t - _settings.CusumDays + 1), runCount = 0;
            double runExpected = 0;
            for (int u = Math.Max(0, t - _settings.CusumDays + 1); u <= t; u++)
            {
                int x = _sums[slice].Counts[u];
                double mu = ExpectedOn(rate.Mean, weekday, u) * inflate * elevation;
                double next = cusum + NegativeBinomialTail.LogLikelihoodRatio(x, mu, rate.Size, _settings.CusumRatio);
                if (next <= 0) (cusum, runStart, runCount, runExpected) = (0, u + 1, 0, 0);
                else (cusum, runCount, runExpected) = (next, runCount + x, runExpected + mu);
            }
            // Ville's inequality bounds the chance that the likelihood ratio ever reaches e^S under the baseline by e^-S, per start day.
            double p = runCount >= _settings.MinCount && cusum > 0 ? Math.Min(1, _settings.CusumDays * Math.Exp(-cusum)) : 1;
            cusumP = p;
            if (p < best) result = new SliceAssessment(slice, p, runStart, runCount, runExpected, "GLR-CUSUM for a doubling");
        }
        if (result is not { } r) return null;
        var trimmed = StartOfRise(r, t, u => _sums[slice].Counts[u], u => ExpectedOn(rate.Mean, weekday, u));
        var combination = new Combination(windows, exposures, counts, baseline, prior, cusumP) { Spread = spread };
        var assessment = trimmed with { PValue = exact ? Combine(combination) : Bound(combination), Floor = floor };
        if (!exact && combination.Least <= _settings.AlarmsPerCountryYear / 365.0) _pending[assessment] = combination;
        return assessment;
    }

    /// <summary>What a slice's windows gave on the day assessed, kept until its combination is refined or not needed.</summary>
    private sealed record Combination(List<double> Windows, List<double> Exposures, List<int> Counts, Baseline Baseline, GammaPrior? Prior, double? Cusum)
    {
        public double Least => Windows.Min();
        /// <summary>A sparse cell's law with its windows' days read too (<see cref="SpreadWindows"/>); null: counts alone.</summary>
        public SpreadWindows? Spread { get; init; }
    }

    /// <summary>The weights of the widest window's days as on day <paramref name="t"/>, <paramref name="t"/> first (0 before the series).</summary>
    private double[] DayWeights(double[] weekday, int t, double elevation)
    {
        var weights = new double[Math.Max(_settings.Windows.Max(), _settings.SparseWindows?.Max() ?? 0)];
        for (int j = 0; j < weights.Length; j++)
            if (t - j >= 0) weights[j] = weekday[(int)_series.DayAt(t - j).DayOfWeek] * _completeness(t - j) * elevation;
        return weights;
    }

    /// <summary>Days from <paramref name="from"/> to <paramref name="to"/> on which the slice has reports.</summary>
    private int ActiveDays(Slice slice, int from, int to)
    {
        int active = 0;
        var counts = _sums[slice].Counts;
        for (int u = Math.Max(0, from); u <= to; u++) if (counts[u] > 0) active++;
        return active;
    }

    /// <summary>The day's assessments whose windows were combined by their union bound and could be refined.</summary>
    private readonly Dictionary<SliceAssessment, Combination> _pending = [];

    /// <summary>The windows' and the CUSUM's p-values combined (where the CUSUM looks, a weighted Bonferroni: it takes
    /// <see cref="SpikeSettings.CusumShare"/> of the slice's level, the windows the rest).</summary>
    private double Combine(Combination c) => WithCusum(c, CombineWindows(c));

    /// <summary>The combination with the windows' union bound (windows × least) for their exact chance: never below it.</summary>
    private double Bound(Combination c) => WithCusum(c, Math.Min(1, c.Windows.Count * c.Least));

    /// <summary>The combination with a lower bound on the windows' exact chance (<see cref="LowerBound"/>): never above it.</summary>
    private double Below(Combination c) => WithCusum(c, LowerBound(c));

    private double WithCusum(Combination c, double windows) =>
        Math.Min(1, c.Cusum is { } cusum ? Math.Min(windows / (1 - _settings.CusumShare), cusum / _settings.CusumShare) : windows);

    /// <summary>
    /// A lower bound on the windows' exact chance: the chance that the widest window alone reaches the least p-value (its
    /// test is exact under the law the chance is taken in, so the chance that any window does is at least that).
    /// </summary>
    private double LowerBound(Combination c)
    {
        double least = c.Least;
        if (least >= 1) return 1;
        return c.Spread is { } spread ? spread.WidestChance(least) : Law(c).WidestChance(least);
    }

    private NestedWindows Law(Combination c)
    {
        var order = Enumerable.Range(0, c.Windows.Count).OrderByDescending(i => _settings.Windows[i]).ToList();
        var widestFirst = order.Select(i => c.Exposures[i]).ToList();
        return c.Prior is { } g
            ? NestedWindows.Predictive(widestFirst, g, c.Baseline.Events, c.Baseline.Exposure, _settings.MinCount)
            : NestedWindows.Conditional(widestFirst, c.Counts[order[0]], c.Baseline.Events, c.Baseline.Exposure, c.Baseline.Size, _settings.MinCount);
    }

    /// <summary>
    /// A country's assessments of the day, their windows combined by the union bound, refined where it could matter: the
    /// exact chance (<see cref="CombineWindows"/>) is worked out for a slice only where its lower bound is at or below
    /// q·K/F, with F the family and K the slices whose lower bound is at or below q. No alarm can be raised above
    /// q·K/F (Benjamini-Hochberg raises R tests at q·R/F, and every one of them has an exact p-value, hence a lower bound,
    /// at or below q), so the bound stands in only for slices that could not pass whatever their exact p-value: what
    /// passes is what the exact p-values of every slice would pass, at a fraction of the work.
    /// </summary>
    public void Refine(List<SliceAssessment> assessed, double q, int family)
    {
        if (family == 0) return;
        var lower = new double[assessed.Count];
        for (int i = 0; i < assessed.Count; i++)
            lower[i] = _pending.TryGetValue(assessed[i], out var c) ? Below(c) : assessed[i].PValue;
        double cut = q * Math.Max(1, lower.Count(b => b <= q)) / family;
        for (int i = 0; i < assessed.Count; i++)
            if (lower[i] <= cut && _pending.TryGetValue(assessed[i], out var c))
                assessed[i] = assessed[i] with { PValue = Math.Min(assessed[i].PValue, Combine(c)) };
    }

    /// <summary>
    /// The windows' p-values (in the order of the settings' windows) combined: the exact chance, under the test's own law,
    /// that any window reaches the least of them (<see cref="NestedWindows"/>). Where it could not change what passes, the
    /// Bonferroni bound (windows × least), never below the exact chance, stands in: where the least is above the largest
    /// level any alarm is raised at (the day's whole budget), and where the bound is below the level of the first rank in
    /// any family of up to 1 / <see cref="ExactAbove"/> tests (a country's family is a few hundred at most), as
    /// Benjamini-Hochberg passes the same tests whatever the exact values below that level.
    /// </summary>
    private const double ExactAbove = 1e-4;

    private double CombineWindows(Combination c)
    {
        double least = c.Least;
        if (least >= 1) return 1;
        double budget = _settings.AlarmsPerCountryYear / 365.0;
        if (least > budget || c.Windows.Count * least <= budget * ExactAbove) return Math.Min(1, c.Windows.Count * least);
        return c.Spread is { } spread ? spread.ChanceAnyAtMost(least) : Law(c).ChanceAnyAtMost(least);
    }

    /// <summary>
    /// The window that tested best may open on ordinary days: the spike starts on the first day above expectation, and
    /// the days before it leave the window's counts.
    /// </summary>
    private static SliceAssessment StartOfRise(SliceAssessment a, int t, Func<int, int> countOn, Func<int, double> expectedOn)
    {
        int first = a.Start, observed = a.Observed;
        double expected = a.Expected;
        while (first < t && countOn(first) <= expectedOn(first))
            (observed, expected, first) = (observed - countOn(first), expected - expectedOn(first), first + 1);
        return a with { Start = first, Observed = observed, Expected = Math.Max(0, expected) };
    }
}

/// <summary>
/// A slice's baseline: <paramref name="Events"/> over an <paramref name="Exposure"/> of weighted days, and the
/// negative-binomial size of one day's count (<paramref name="Size"/>; infinite: Poisson).
/// </summary>
public readonly record struct Baseline(long Events, double Exposure, double Size)
{
    /// <summary>
    /// The conditional test of a window's count against the baseline (<see cref="ConditionalTail.AtLeast"/>): the chance, if
    /// the rate did not change, that of the window's and the baseline's events together at least
    /// <paramref name="observed"/> fall in a window of this exposure.
    /// </summary>
    public double Tail(int observed, double windowExposure) =>
        ConditionalTail.AtLeast(observed, Events, windowExposure, Exposure, Size);
}

/// <summary>
/// A gamma prior for the daily rates of comparable slices (a country's sparse cells), shape <paramref name="Shape"/> and
/// rate <paramref name="Rate"/> (per weighted day). A cell that saw b events over exposure e has the posterior
/// Gamma(shape + b, rate + e), and its count over a window of exposure w the posterior predictive, a negative binomial of
/// size shape + b and mean (shape + b)·w / (rate + e): a cell with 0 to 3 events in 12 weeks borrows what its country's
/// other sparse cells say about how high such a rate can be, instead of learning it from its own few events alone.
/// </summary>
public readonly record struct GammaPrior(double Shape, double Rate)
{
    /// <summary>P(window count ≥ <paramref name="observed"/>) under the posterior predictive, the cell's own baseline given.</summary>
    public double Tail(int observed, long baselineEvents, double baselineExposure, double windowExposure)
    {
        double size = Shape + baselineEvents;
        return NegativeBinomialTail.AtLeast(observed, size * windowExposure / (Rate + baselineExposure), size);
    }

    /// <summary>
    /// The prior by the method of moments from <paramref name="counts"/>, each over the same <paramref name="exposure"/>:
    /// a gamma-Poisson count has variance e·m + e²·V (m, V: the rates' mean and variance). The count's variance is taken at
    /// the upper end of its 95 % range (chi-square, N - 1 degrees of freedom), so a prior fitted to a handful of cells errs
    /// wide (a cell's rate may be further from the others' than they seem), and the shape is capped at
    /// <paramref name="maxShape"/> even where the counts look no more spread than Poisson. Null when no count is positive.
    /// </summary>
    public static GammaPrior? Fit(IReadOnlyList<long> counts, double exposure, double maxShape)
    {
        if (counts.Count < 2 || exposure <= 0) return null;
        double mean = counts.Average();
        if (mean <= 0) return null;
        double variance = counts.Sum(c => (c - mean) * (c - mean)) / (counts.Count - 1);
        double upper = variance * (counts.Count - 1) / MathNet.Numerics.Distributions.ChiSquared.InvCDF(counts.Count - 1, 0.05);
        double m = mean / exposure;
        double rateVariance = Math.Max((upper - mean) / (exposure * exposure), m * m / maxShape);
        return new GammaPrior(m * m / rateVariance, m / rateVariance);
    }
}

/// <summary>
/// The conditional test of a rise. Given n = x + b events in a window of exposure w and a baseline of exposure e, under
/// an unchanged Poisson rate the window's count is Binomial(n, w / (w + e)), whatever the rate (the exact test of two
/// Poisson rates): no rate is estimated, so a baseline of 0 to 2 events gives a wide, honest answer rather than a rate far
/// too sure of itself. Where days vary more than Poisson (each day's rate drawn from a gamma of size k, a negative
/// binomial), window and baseline are sums of negative binomials of sizes k·w and k·e, and given their total the window's
/// count is beta-binomial, BetaBinomial(n, k·w, k·e): the same test with the overdispersion carried in exactly, where
/// dividing counts by a variance-over-mean ratio gives tails far too light out where alarms are decided.
/// </summary>
public static class ConditionalTail
{
    public static double AtLeast(int observed, long baseline, double windowExposure, double baselineExposure, double size = double.PositiveInfinity)
    {
        if (observed <= 0) return 1;
        if (windowExposure <= 0) return 0;
        if (baselineExposure <= 0) return 1; // nothing to compare with
        long n = observed + baseline;
        if (double.IsPositiveInfinity(size) || size > 1e6)
            return SpecialFunctions.BetaRegularized(observed, n - observed + 1, windowExposure / (windowExposure + baselineExposure));
        return BetaBinomialAtLeast(observed, n, size * windowExposure, size * baselineExposure);
    }

    /// <summary>P(X ≥ <paramref name="x"/>) for X ~ BetaBinomial(<paramref name="n"/>, <paramref name="a"/>, <paramref name="b"/>).</summary>
    public static double BetaBinomialAtLeast(long x, long n, double a, double b)
    {
        if (x <= 0) return 1;
        if (x > n) return 0;
        double mean = n * a / (a + b);
        // Summed from the side with fewer terms to sum: upward from x when x is above the mean (terms fall off fast), else
        // the complement below x.
        if (x > mean)
        {
            double term = Math.Exp(LogPmf(x, n, a, b)), sum = 0;
            for (long j = x; j <= n; j++)
            {
                sum += term;
                if (term < sum * 1e-16) break;
                term *= (double)(n - j) / (j + 1) * (j + a) / (n - j - 1 + b);
            }
            return Math.Min(1, sum);
        }
        double below = 0, t = Math.Exp(LogPmf(0, n, a, b));
        for (long j = 0; j < x; j++)
        {
            below += t;
            t *= (double)(n - j) / (j + 1) * (j + a) / (n - j - 1 + b);
        }
        return Math.Clamp(1 - below, 0, 1);
    }

    private static double LogPmf(long j, long n, double a, double b) =>
        SpecialFunctions.GammaLn(n + 1) - SpecialFunctions.GammaLn(j + 1) - SpecialFunctions.GammaLn(n - j + 1)
        + SpecialFunctions.GammaLn(j + a) + SpecialFunctions.GammaLn(n - j + b) - SpecialFunctions.GammaLn(n + a + b)
        - SpecialFunctions.GammaLn(a) - SpecialFunctions.GammaLn(b) + SpecialFunctions.GammaLn(a + b);
}

/// <summary>Negative-binomial (and, without overdispersion, Poisson) tails and likelihood ratios, by mean and size.</summary>
public static class NegativeBinomialTail
{
    /// <summary>P(X ≥ <paramref name="observed"/>) for a count with this mean and size (variance = mean + mean²/size).</summary>
    public static double AtLeast(int observed, double mean, double size)
    {
        if (observed <= 0) return 1;
        if (mean <= 0) return 0;
        if (double.IsPositiveInfinity(size) || size > 1e6) return SpecialFunctions.GammaLowerRegularized(observed, mean);
        // With p = size / (size + mean), P(X ≥ k) = I_{1-p}(k, size).
        return SpecialFunctions.BetaRegularized(observed, size, mean / (size + mean));
    }

    /// <summary>log P(x | mean × ratio) / P(x | mean), for the same size.</summary>
    public static double LogLikelihoodRatio(int x, double mean, double size, double ratio)
    {
        if (double.IsPositiveInfinity(size) || size > 1e6) return x * Math.Log(ratio) - (ratio - 1) * mean;
        double shifted = size + ratio * mean, plain = size + mean;
        return x * Math.Log(ratio * plain / shifted) + size * Math.Log(plain / shifted);
    }
}
