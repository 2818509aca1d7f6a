using System.Security.Claims;
using Marten;
using Takedowns.Contracts;
using Takedowns.Escalation.Cases;
using Takedowns.Escalation.Packets;
using Takedowns.ServiceDefaults;

namespace Takedowns.Escalation.Remedies;

/// <summary>One platform and ground: how long restoration took, as Kaplan-Meier estimates.</summary>
public sealed record RemedyTimeRow(
    Platform Platform, GroundCategory Category, int Accounts, int Restored, int? MedianDaysToRestore, int? Low, int? High,
    IReadOnlyDictionary<string, double> RestoredBy, int AtRisk);

public sealed record RemedyTimes(IReadOnlyList<RemedyTimeRow> Items);

/// <summary>
/// <c>GET /api/escalations/remedy-times</c>: per platform and ground category, the days from takedown to restoration.
/// An account counts as restored on the day an appeal restored it (recorded in Intake, with or without a packet) or a
/// packet's outcome said restored or partially restored, whichever came first; every other account is censored at
/// today, still down as far as anyone knows. Over the cases the caller may use.
/// </summary>
public static class RemedyTimesEndpoint
{
    public static readonly int[] Days = [7, 30, 90];

    public static void MapRemedyTimes(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/escalations/remedy-times", GetAsync).WithTags("Escalation").RequireAuthorization(Roles.Escalation)
            .WithName("RemedyTimes").WithSummary("Time to restoration per platform and ground (Kaplan-Meier: median with its 95 % interval, share restored by 7, 30 and 90 days)")
            .Produces<RemedyTimes>().ProducesValidationProblem();

    private static async Task<IResult> GetAsync(HttpRequest request, ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var q = request.Query;
        var errors = new ValidationErrors();
        var platform = QueryFilters.Enum<Platform>(q["platform"], "platform", errors);
        var category = QueryFilters.Enum<GroundCategory>(q["category"], "category", errors);
        string? country = QueryFilters.Country(q["country"], errors);
        var from = QueryDates.Parse(q["from"], "from", errors);
        var to = QueryDates.Parse(q["to"], "to", errors);
        if (from > to) errors.Add("to", "Must not be before from.");
        if (!errors.IsEmpty) return errors.ToProblem();

        Guid? scope = user.FindFirstValue(Claims.OrganisationId) is { } id ? Guid.Parse(id) : null;
        IQueryable<CaseFile> query = session.Query<CaseFile>();
        if (scope is { } s) query = query.Where(c => c.OrganisationId == s || c.Facts.SharedWithNetwork);
        var cases = (await query.ToListAsync(ct)).Where(c =>
            (platform is null || c.Facts.Platform == platform) && (category is null || c.Facts.Ground.Category == category)
            && (country is null || c.Facts.Country == country) && (from is null || c.Facts.OccurredOn >= from) && (to is null || c.Facts.OccurredOn <= to)).ToList();

        // Restorations packets recorded, per report: the earliest.
        var restoredByPacket = new Dictionary<Guid, DateOnly>();
        foreach (var packet in await session.Query<Packet>().ToListAsync(ct))
            foreach (var o in packet.Outcomes ?? [])
                if (o.Outcome is "restored" or "partially_restored" && (!restoredByPacket.TryGetValue(o.ReportId, out var known) || o.On < known))
                    restoredByPacket[o.ReportId] = o.On;

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var rows = cases.GroupBy(c => (c.Facts.Platform, c.Facts.Ground.Category)).OrderBy(g => g.Key.Platform).ThenBy(g => g.Key.Category).Select(g =>
        {
            var waits = g.Select(c => WaitOf(c, restoredByPacket.TryGetValue(c.Id, out var day) ? day : null, today)).ToList();
            var km = new KaplanMeier(waits);
            var (low, high) = km.MedianInterval;
            return new RemedyTimeRow(g.Key.Platform, g.Key.Category, km.Count, km.Restored, km.Median, low, high,
                Days.ToDictionary(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture), d => Math.Round(km.RestoredBy(d), 4)),
                km.Count - km.Restored);
        }).ToList();
        return Results.Ok(new RemedyTimes(rows));
    }

    /// <summary>An account's wait: to its first restoration (by appeal or packet), or censored at today.</summary>
    public static Wait WaitOf(CaseFile c, DateOnly? restoredByPacket, DateOnly today)
    {
        DateOnly? byAppeal = c.Facts.Appeal is { Outcome: "restored", DecidedOn: { } decided } ? decided : null;
        DateOnly? restored = byAppeal is null ? restoredByPacket : restoredByPacket is null ? byAppeal : byAppeal < restoredByPacket ? byAppeal : restoredByPacket;
        return restored is { } r
            ? new Wait(Math.Max(0, r.DayNumber - c.Facts.OccurredOn.DayNumber), true)
            : new Wait(Math.Max(0, today.DayNumber - c.Facts.OccurredOn.DayNumber), false);
    }
}
