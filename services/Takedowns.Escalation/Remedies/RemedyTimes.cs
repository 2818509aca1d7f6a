using System.Security.Claims;
using Marten;
using Takedowns.Contracts;
using Takedowns.Escalation.Cases;
using Takedowns.Escalation.Packets;
using Takedowns.ServiceDefaults;

namespace Takedowns.Escalation.Remedies;

/// <summary>
/// One platform and ground: how long restoration took, as Kaplan-Meier estimates, over every account (the flat fields),
/// split by whether the account was in a packet sent to the platform, and how long platforms took to answer packets.
/// </summary>
public sealed record RemedyTimeRow(
    Platform Platform, GroundCategory Category, int Accounts, int Restored, int? MedianDaysToRestore, int? Low, int? High,
    IReadOnlyDictionary<string, double> RestoredBy, int AtRisk, TimeToEvent Escalated, TimeToEvent NotEscalated, TimeToEvent SentToAnswer);

/// <summary>
/// A Kaplan-Meier summary: of <paramref name="Count"/> waits, <paramref name="Events"/> ended (restored, or answered);
/// the median day with its 95 % interval (null where the curve does not get there), the share ended by 7, 30 and 90
/// days, and how many are still waiting (censored).
/// </summary>
public sealed record TimeToEvent(int Count, int Events, int? MedianDays, int? Low, int? High, IReadOnlyDictionary<string, double> By, int AtRisk)
{
    public static TimeToEvent Of(IReadOnlyCollection<Wait> waits)
    {
        var km = new KaplanMeier(waits);
        var (low, high) = km.MedianInterval;
        return new TimeToEvent(km.Count, km.Restored, km.Median, low, high, RemedyTimesEndpoint.Shares(km), km.Count - km.Restored);
    }
}

public sealed record RemedyTimes(IReadOnlyList<RemedyTimeRow> Items);

/// <summary>
/// <c>GET /api/escalations/remedy-times</c>: per platform and ground category, the days from takedown to restoration.
/// An account counts as restored on the day an appeal restored it (recorded in Intake, with or without a packet) or a
/// packet's outcome said restored or partially restored, whichever came first; every other account is censored at
/// today, still down as far as anyone knows. Over the cases the caller may use. <c>escalated</c> and <c>notEscalated</c>
/// split the same accounts by whether a packet holding them was sent to the platform (a plain comparison: an account had
/// to stay down long enough to be escalated, which favours the escalated side's waits looking longer). <c>sentToAnswer</c>:
/// the packets the caller may see, from the day each was sent to the platform's first answer (a response or an outcome),
/// by the grounds of the accounts they hold; <c>from</c> and <c>to</c> filter takedowns by the day they happened and
/// packets by the day they were sent.
/// </summary>
public static class RemedyTimesEndpoint
{
    public static readonly int[] Days = [7, 30, 90];

    public static void MapRemedyTimes(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/escalations/remedy-times", GetAsync).WithTags("Escalation").RequireAuthorization(Roles.Escalation)
            .WithName("RemedyTimes").WithSummary("Time to restoration per platform and ground, for escalated accounts and the others, and time from a packet sent to the platform's answer (Kaplan-Meier: median with its 95 % interval, share by 7, 30 and 90 days)")
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

        var scope = user.Scope();
        IQueryable<CaseFile> query = session.Query<CaseFile>();
        if (scope is { } s) query = query.Where(c => c.OrganisationId == s || c.Facts.SharedWithNetwork);
        // The caller's cases on the platform, ground and country asked for; those taken down between from and to.
        var matching = (await query.ToListAsync(ct)).Where(c =>
            (platform is null || c.Facts.Platform == platform) && (category is null || c.Facts.Ground.Category == category)
            && (country is null || c.Facts.Country == country)).ToDictionary(c => c.Id);
        var cases = matching.Values.Where(c => (from is null || c.Facts.OccurredOn >= from) && (to is null || c.Facts.OccurredOn <= to)).ToList();

        var packets = await session.Query<Packet>().Where(p => p.Sent != null || p.Outcomes != null).ToListAsync(ct);
        bool Visible(Packet p) => scope is not { } org || p.OrganisationId == org || p.VisibleTo(org);
        // Restorations packets recorded, per report: the earliest; and the reports of the versions sent to the platform
        // in packets the caller may see (whether another organisation escalated a report is not the caller's to learn).
        var restoredByPacket = new Dictionary<Guid, DateOnly>();
        var escalated = new HashSet<Guid>();
        foreach (var packet in packets)
        {
            if (packet.Sent is not null && Visible(packet)) escalated.UnionWith(packet.Held ?? packet.ReportIds);
            foreach (var o in packet.Outcomes ?? [])
                if (o.Outcome is "restored" or "partially_restored" && (!restoredByPacket.TryGetValue(o.ReportId, out var known) || o.On < known))
                    restoredByPacket[o.ReportId] = o.On;
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        // Packets the caller may see that went to the platform, by the grounds of the accounts they hold on the platform,
        // ground and country asked for (a packet counts once in each ground it holds), filtered by the day they were sent.
        var answers = packets.Where(p => p.Sent is not null && Visible(p) && (from is null || p.Sent!.On >= from) && (to is null || p.Sent!.On <= to))
            .SelectMany(p => (p.Held ?? p.ReportIds).Where(matching.ContainsKey).Select(id => matching[id].Facts.Ground.Category).Distinct()
                .Select(c => (Key: (Platform: p.Platform, Category: c), Wait: AnswerWait(p, today))))
            .ToLookup(a => a.Key, a => a.Wait);
        var byGround = cases.ToLookup(c => (Platform: c.Facts.Platform, Category: c.Facts.Ground.Category));
        var rows = byGround.Select(g => g.Key).Union(answers.Select(a => a.Key)).Distinct()
            .OrderBy(k => k.Platform).ThenBy(k => k.Category).Select(key =>
        {
            var waits = byGround[key].Select(c => (c.Id, Wait: WaitOf(c, restoredByPacket.TryGetValue(c.Id, out var day) ? day : null, today))).ToList();
            var every = TimeToEvent.Of([.. waits.Select(w => w.Wait)]);
            return new RemedyTimeRow(key.Platform, key.Category, every.Count, every.Events, every.MedianDays, every.Low, every.High, every.By, every.AtRisk,
                TimeToEvent.Of([.. waits.Where(w => escalated.Contains(w.Id)).Select(w => w.Wait)]),
                TimeToEvent.Of([.. waits.Where(w => !escalated.Contains(w.Id)).Select(w => w.Wait)]),
                TimeToEvent.Of([.. answers[key]]));
        }).ToList();
        return Results.Ok(new RemedyTimes(rows));
    }

    /// <summary>The share ended by 7, 30 and 90 days, keyed by the number of days.</summary>
    public static IReadOnlyDictionary<string, double> Shares(KaplanMeier km) =>
        Days.ToDictionary(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture), d => Math.Round(km.RestoredBy(d), 4));

    /// <summary>
    /// A sent packet's wait for the platform's first word since it was (last) sent: a response, or an outcome other than
    /// no_answer; censored at today without one.
    /// </summary>
    public static Wait AnswerWait(Packet p, DateOnly today)
    {
        var sent = p.Sent!.On;
        var answered = (p.Responses ?? []).Select(r => r.On).Concat((p.Outcomes ?? []).Where(o => o.Outcome != "no_answer").Select(o => o.On))
            .Where(d => d >= sent).Select(d => (DateOnly?)d).Min();
        return answered is { } on ? new Wait(Math.Max(0, on.DayNumber - sent.DayNumber), true) : new Wait(Math.Max(0, today.DayNumber - sent.DayNumber), false);
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
