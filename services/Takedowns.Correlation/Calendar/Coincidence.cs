using Marten;
using Mediator;
using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Series;
using Takedowns.Correlation.Spikes;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Calendar;

/// <summary>How spikes are read against the civic calendar.</summary>
public sealed record CoincidenceSettings
{
    /// <summary>A spike starting this many days before a period starts, up to <see cref="DaysAfter"/> after, coincides with it.</summary>
    public int DaysBefore { get; init; } = 14;
    public int DaysAfter { get; init; } = 7;
    /// <summary>False-discovery rate across the periods tested.</summary>
    public double Q { get; init; } = 0.1;

    public static readonly CoincidenceSettings Default = new();
}

public sealed record RateRatio(string Phase, int Spikes, int Days, double? Ratio, double? Low, double? High);

public sealed record CountryCoincidence(
    string Country, int Periods, int Spikes, int InWindows, double ExpectedInWindows, double PValue, double? Dispersion, IReadOnlyList<RateRatio> RateRatios);

public sealed record PeriodCoincidence(
    Guid PeriodId, string Country, CivicPeriodType Type, string Name, DateOnly Start, DateOnly End, int SpikesInWindow,
    double ExpectedInWindow, double PValue, double QValue, bool Significant);

public sealed record CoincidenceReport(
    DateOnly From, DateOnly To, int DaysBefore, int DaysAfter, IReadOnlyList<CountryCoincidence> Countries, IReadOnlyList<PeriodCoincidence> Periods);

/// <summary>
/// Event-coincidence analysis of spikes and the civic calendar: do spikes start more often than chance near the start
/// of a country's civic periods (14 days before to 7 after)? The chance distribution comes from shifting the calendar:
/// every circular shift of the country's windows over the days analysed by at least a window's length (all of them, not
/// a sample), keeping their lengths and spacing. Each period is tested the same way on its own, with the
/// Benjamini-Hochberg false-discovery rate across all periods. Rate ratios compare the daily rate of spike onsets
/// before (the 14 days before a start), during and after (the 7 days after an end) periods with the other days, with
/// 95 % intervals of a negative-binomial model with those three indicators, its dispersion estimated from the other days.
/// </summary>
public static class CivicCoincidence
{
    public static CoincidenceReport Analyse(
        IReadOnlyList<CivicPeriod> periods, IReadOnlyList<(string Country, DateOnly Onset)> spikes, DateOnly from, DateOnly to, CoincidenceSettings settings)
    {
        int days = to.DayNumber - from.DayNumber + 1;
        var countries = new List<CountryCoincidence>();
        var tested = new List<(CivicPeriod Period, int Observed, double Expected, double P)>();
        foreach (var country in periods.Select(p => p.Country).Distinct().Order(StringComparer.Ordinal))
        {
            var own = periods.Where(p => p.Country == country).OrderBy(p => p.Start).ToList();
            var onsets = spikes.Where(s => s.Country == country && s.Onset >= from && s.Onset <= to).Select(s => s.Onset.DayNumber - from.DayNumber).ToArray();
            var all = Window(own, from, days, settings);
            int minShift = settings.DaysBefore + settings.DaysAfter + 1;
            var (observed, expected, p) = ShiftTest(all, onsets, minShift);
            var phases = Phases(own, from, days, settings);
            var counts = new int[days];
            foreach (int d in onsets) counts[d]++;
            double theta = Dispersion(phases, counts);
            countries.Add(new CountryCoincidence(country, own.Count, onsets.Length, observed, Math.Round(expected, 3), p,
                double.IsPositiveInfinity(theta) ? null : Math.Round(theta, 3), RateRatios(phases, counts, theta)));
            foreach (var period in own)
            {
                var (o, e, pp) = ShiftTest(Window([period], from, days, settings), onsets, minShift);
                tested.Add((period, o, e, pp));
            }
        }
        var q = BenjaminiHochberg(tested.Select(t => t.P).ToList());
        var periodResults = tested.Select((t, i) => new PeriodCoincidence(t.Period.Id, t.Period.Country, t.Period.Type, t.Period.Name, t.Period.Start,
            t.Period.End, t.Observed, Math.Round(t.Expected, 3), t.P, q[i], q[i] <= settings.Q && t.Observed > t.Expected)).ToList();
        return new CoincidenceReport(from, to, settings.DaysBefore, settings.DaysAfter, countries, periodResults);
    }

    /// <summary>The days (0 = <paramref name="from"/>) within the tolerance window of a period's start.</summary>
    private static bool[] Window(IEnumerable<CivicPeriod> periods, DateOnly from, int days, CoincidenceSettings settings)
    {
        var mask = new bool[days];
        foreach (var p in periods)
            for (int d = p.Start.DayNumber - settings.DaysBefore; d <= p.Start.DayNumber + settings.DaysAfter; d++)
                if (d - from.DayNumber is var i && i >= 0 && i < days) mask[i] = true;
        return mask;
    }

    /// <summary>
    /// Onsets in the windows; their mean over the circular shifts of the windows by at least <paramref name="minShift"/>
    /// days either way (a shift of a few days leaves a window mostly where it was: not another calendar); and the share
    /// of those shifts, the calendar itself counted in, with at least as many.
    /// </summary>
    public static (int Observed, double Expected, double PValue) ShiftTest(bool[] window, IReadOnlyList<int> onsets, int minShift)
    {
        int days = window.Length;
        int observed = onsets.Count(d => window[d]);
        long total = 0;
        int atLeast = 0, shifts = 0;
        for (int shift = minShift; shift <= days - minShift; shift++)
        {
            int count = 0;
            foreach (int d in onsets)
                if (window[(d + shift) % days]) count++;
            total += count;
            shifts++;
            if (count >= observed) atLeast++;
        }
        return (observed, shifts == 0 ? observed : (double)total / shifts, (atLeast + 1.0) / (shifts + 1.0));
    }

    private enum Phase { Other, Before, During, After }

    private static Phase[] Phases(IReadOnlyList<CivicPeriod> periods, DateOnly from, int days, CoincidenceSettings settings)
    {
        var phases = new Phase[days];
        void Mark(int firstDay, int lastDay, Phase phase)
        {
            for (int d = firstDay; d <= lastDay; d++)
                if (d - from.DayNumber is var i && i >= 0 && i < days && phases[i] < phase) phases[i] = phase;
        }
        // Where phases of different periods meet, "during" wins over "before", and "before" over "after".
        foreach (var p in periods) Mark(p.End.DayNumber + 1, p.End.DayNumber + settings.DaysAfter, Phase.After);
        foreach (var p in periods) Mark(p.Start.DayNumber - settings.DaysBefore, p.Start.DayNumber - 1, Phase.Before);
        foreach (var p in periods) Mark(p.Start.DayNumber, p.End.DayNumber, Phase.During);
        return phases;
    }

    /// <summary>The negative binomial's theta from the other days' daily counts (variance = mean + mean² / theta); infinite: Poisson.</summary>
    private static double Dispersion(Phase[] phases, int[] counts)
    {
        var other = Enumerable.Range(0, counts.Length).Where(i => phases[i] == Phase.Other).Select(i => (double)counts[i]).ToList();
        if (other.Count < 2) return double.PositiveInfinity;
        double mean = other.Average(), variance = other.Sum(x => (x - mean) * (x - mean)) / (other.Count - 1);
        return variance > mean && mean > 0 ? mean * mean / (variance - mean) : double.PositiveInfinity;
    }

    private static IReadOnlyList<RateRatio> RateRatios(Phase[] phases, int[] counts, double theta)
    {
        var spikes = new int[4];
        var length = new int[4];
        for (int d = 0; d < phases.Length; d++)
        {
            length[(int)phases[d]]++;
            spikes[(int)phases[d]] += counts[d];
        }
        // The maximum-likelihood rate of a group is its mean; the variance of its log is 1/Y + 1/(n theta) under the
        // negative binomial (1/Y alone under Poisson). A group without spikes counts half a spike for its interval only.
        double LogVariance(int y, int n) => 1.0 / Math.Max(y, 0.5) + (double.IsPositiveInfinity(theta) ? 0 : 1.0 / (n * theta));
        var result = new List<RateRatio>();
        int y0 = spikes[(int)Phase.Other], n0 = length[(int)Phase.Other];
        foreach (var phase in new[] { Phase.Before, Phase.During, Phase.After })
        {
            int y = spikes[(int)phase], n = length[(int)phase];
            string name = phase.ToString().ToLowerInvariant();
            if (n == 0 || n0 == 0 || y0 == 0)
            {
                result.Add(new RateRatio(name, y, n, null, null, null));
                continue;
            }
            double ratio = y / (double)n / (y0 / (double)n0);
            double logRatio = Math.Log(Math.Max(y, 0.5) / n / (y0 / (double)n0));
            double half = 1.959964 * Math.Sqrt(LogVariance(y, n) + LogVariance(y0, n0));
            result.Add(new RateRatio(name, y, n, Math.Round(ratio, 3), Math.Round(y == 0 ? 0 : Math.Exp(logRatio - half), 3), Math.Round(Math.Exp(logRatio + half), 3)));
        }
        return result;
    }

    /// <summary>Benjamini-Hochberg adjusted p-values (q-values), in the order given.</summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> p)
    {
        int m = p.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => p[i]).ToArray();
        var q = new double[m];
        double running = 1;
        for (int rank = m; rank >= 1; rank--)
        {
            int i = order[rank - 1];
            running = Math.Min(running, p[i] * m / rank);
            q[i] = running;
        }
        return q;
    }
}

/// <param name="From">The first day analysed; null: the whole history (from the first day with data).</param>
public sealed record GetCivicCoincidence(string? Country, DateOnly? From, DateOnly To) : IQuery<CoincidenceReport>;

public sealed class GetCivicCoincidenceHandler(IQuerySession session) : IQueryHandler<GetCivicCoincidence, CoincidenceReport>
{
    public async ValueTask<CoincidenceReport> Handle(GetCivicCoincidence q, CancellationToken ct)
    {
        var from = q.From ?? await HistoryStartAsync(q.Country, q.To, ct);
        var periods = session.Query<CivicPeriod>().AsQueryable();
        var spikes = session.Query<Spike>().Where(s => !s.Withdrawn && s.Start >= from && s.Start <= q.To);
        if (q.Country is { } c)
        {
            periods = periods.Where(p => p.Country == c);
            spikes = spikes.Where(s => s.Country == c);
        }
        var found = await spikes.Select(s => new SpikeOnset(s.Country, s.Start)).ToListAsync(ct);
        return CivicCoincidence.Analyse(await periods.ToListAsync(ct), found.Select(s => (s.Country, s.Start)).ToList(), from, q.To, CoincidenceSettings.Default);
    }

    /// <summary>The first day with data (of the country, if one is asked for), within the span one analysis may cover.</summary>
    private async Task<DateOnly> HistoryStartAsync(string? country, DateOnly to, CancellationToken ct)
    {
        var days = session.Query<SliceDay>().Where(d => d.Count > 0);
        if (country is not null) days = days.Where(d => d.Country == country);
        var first = await days.OrderBy(d => d.Day).Select(d => d.Day).FirstOrDefaultAsync(ct);
        var earliest = to.AddDays(-(CivicCoincidenceEndpoint.MaxDays - 1));
        var latest = to.AddDays(-(CivicCoincidenceEndpoint.DefaultDays - 1));
        return first == default || first > latest ? latest : first < earliest ? earliest : first;
    }

    private sealed record SpikeOnset(string Country, DateOnly Start);
}

public static class CivicCoincidenceEndpoint
{
    /// <summary>The longest span analysed at once, and the shortest that says anything.</summary>
    public const int MaxDays = 3660, MinDays = 28, DefaultDays = 365;

    public static void MapCivicCoincidence(this IEndpointRouteBuilder app) =>
        app.MapGet(CivicPeriodEndpoints.Path + "/coincidence", async (HttpRequest request, IMediator mediator, TimeProvider clock, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                var q = request.Query;
                string? country = QueryFilters.Country(q["country"], errors);
                var to = QueryDates.Parse(q["to"], "to", errors) ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
                var from = QueryDates.Parse(q["from"], "from", errors);
                int days = from is { } f ? to.DayNumber - f.DayNumber + 1 : MinDays;
                if (errors.IsEmpty && days < MinDays) errors.Add("from", $"Must be at least {MinDays} days before 'to'.");
                if (errors.IsEmpty && days > MaxDays) errors.Add("from", $"Must be at most {MaxDays} days before 'to'.");
                if (!errors.IsEmpty) return errors.ToProblem();
                return Results.Ok(await mediator.Send(new GetCivicCoincidence(country, from, to), ct));
            })
            .RequireAuthorization(Roles.Analyst)
            .WithName("GetCivicCoincidence")
            .WithTags("Analysis")
            .WithSummary("Whether spikes start near civic periods more often than chance: per country and per period, with rate ratios")
            .WithDescription("from/to: the days analysed (default from the first day with data, at least the last 365 days; 28 to 3660 days). country: one country only. A spike " +
                             "coincides with a period when it starts from 14 days before the period's start to 7 days after. pValue: the " +
                             "share of circular shifts of the calendar over the days analysed with at least as many coinciding spikes; " +
                             "qValue: Benjamini-Hochberg across the periods; rateRatios: spike onsets per day before (14 days), during " +
                             "and after (7 days) periods against the other days, with 95 % intervals of a negative-binomial model.")
            .Produces<CoincidenceReport>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
}
