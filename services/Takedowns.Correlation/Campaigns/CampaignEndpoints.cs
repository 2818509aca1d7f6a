using System.Security.Claims;
using JasperFx.Events;
using Marten;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Correlation.Calendar;
using Takedowns.ServiceDefaults;

namespace Takedowns.Correlation.Campaigns;

public sealed record CampaignSummary(
    Guid CampaignId, string Status, double Score, double PValue, int ReportCount, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    IReadOnlyList<string> Signals, IReadOnlyList<string> Countries, IReadOnlyList<Platform> Platforms, DateTimeOffset RaisedAt)
{
    public static CampaignSummary Of(Campaign c) => new(c.Id, StatusName(c.Status), c.Score, c.PValue, c.ReportCount, c.FirstSeen, c.LastSeen,
        c.Signals, c.Members.Select(m => m.Country).Distinct().Order().ToList(), c.Members.Select(m => m.Platform).Distinct().Order().ToList(), c.RaisedAt);

    public static string StatusName(CampaignStatus s) => s.ToString().ToLowerInvariant();
}

public sealed record CampaignPage(IReadOnlyList<CampaignSummary> Items, string? Next);

public sealed record CampaignReportView(Guid ReportId, string? ExternalId, Guid OrganisationId, DateTimeOffset OccurredAt, Platform Platform, string Country);

public sealed record CampaignDetail(
    Guid CampaignId, string Status, double Score, double PValue, int ReportCount, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    IReadOnlyList<string> Signals, IReadOnlyList<CampaignReportView> Reports, IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<CivicPeriodRef> CivicPeriods, string? DismissReason, Guid? MergedInto);

public sealed record CampaignNoteInput
{
    public string? Note { get; init; }
}

public sealed record CampaignDismissInput
{
    public string? Reason { get; init; }
}

public sealed record CampaignMergeInput
{
    /// <summary>The campaigns to merge into this one.</summary>
    public IReadOnlyList<Guid>? CampaignIds { get; init; }
}

public sealed record CampaignSplitInput
{
    public Guid? ReportId { get; init; }
    public string? Reason { get; init; }
}

/// <summary>
/// The analyst's view of campaigns and what they do with them. Every action is an event on the campaign's stream; the
/// detector's clusters follow it as detection meets the event (a dismissed campaign is not raised again for the same
/// reports; a report split off is not linked back; merged campaigns share one cluster).
/// </summary>
public static class CampaignEndpoints
{
    public const string Path = "/api/analysis/campaigns";
    public const int MaxText = 2000;

    public static void MapCampaigns(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, List)
            .RequireAuthorization(Roles.Analyst).WithName("ListCampaigns").WithTags("Analysis")
            .WithSummary("Suspected, confirmed and dismissed campaigns, newest first")
            .WithDescription("status: suspected, confirmed, dismissed or merged (default: all but merged). from/to: campaigns active on " +
                             "these days. country, platform: campaigns with a report there. limit (1-500, default 50); pass next as cursor.")
            .Produces<CampaignPage>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        app.MapGet(Path + "/{campaignId:guid}", Get)
            .RequireAuthorization(Roles.Analyst).WithName("GetCampaign").WithTags("Analysis")
            .WithSummary("A campaign: its reports, timeline, signals and the civic periods it overlaps")
            .Produces<CampaignDetail>()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        Verb<CampaignNoteInput>(app, "confirm", "ConfirmCampaign", "Confirm a campaign (optionally with a note)",
            (i, e) => Text(i.Note, "note", e, required: false), Confirm);
        Verb<CampaignDismissInput>(app, "dismiss", "DismissCampaign", "Dismiss a campaign, with the reason; it is not raised again for the same reports",
            (i, e) => Text(i.Reason, "reason", e, required: true), Dismiss);
        Verb<CampaignMergeInput>(app, "merge", "MergeCampaigns", "Merge other campaigns into this one",
            (i, e) => { if (i.CampaignIds is not { Count: > 0 }) e.Add("campaignIds", "Name at least one campaign to merge into this one."); }, Merge);
        Verb<CampaignSplitInput>(app, "split", "SplitOffReport", "Take a report out of a campaign; it is not linked back",
            (i, e) => { if (i.ReportId is null) e.Add("reportId", "Required."); Text(i.Reason, "reason", e, required: false); }, Split);
        Verb<CampaignNoteInput>(app, "annotate", "AnnotateCampaign", "Add a note to a campaign's timeline",
            (i, e) => Text(i.Note, "note", e, required: true), Annotate);
    }

    private delegate Task<IResult> Action<T>(Campaign campaign, T input, string by, Acting acting, TimeProvider clock, CancellationToken ct);

    /// <summary>Tries at recording an action before it is refused as conflicting: detection may be linking reports to the campaign.</summary>
    private const int Attempts = 6;

    /// <summary>
    /// The pause before another try: growing with the tries and drawn at random, so analysts acting on one campaign at once
    /// do not all read it again at the same moment and meet each other again.
    /// </summary>
    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25 << Math.Min(attempt, 4)));

    /// <summary>
    /// One attempt at an action: its session, and each campaign as its events make it now (documents may lag a moment
    /// behind). Events are appended expecting the stream as it was read, so an action on a campaign that changed meanwhile
    /// (detection linked a report, another analyst acted) fails as a whole and is tried again on what it is now.
    /// </summary>
    private sealed class Acting(IDocumentSession session)
    {
        private readonly Dictionary<Guid, IEventStream<Campaign>> _streams = [];
        private readonly Dictionary<Guid, Campaign> _now = [];

        public async Task<Campaign?> LoadAsync(Guid id, CancellationToken ct)
        {
            var stream = await session.Events.FetchForWriting<Campaign>(id, ct);
            if (stream.Aggregate is not { } campaign) return null;
            _streams[id] = stream;
            return _now[id] = campaign;
        }

        public async Task<IReadOnlyList<Campaign>> LoadManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
        {
            var found = new List<Campaign>();
            foreach (var id in ids)
                if (await LoadAsync(id, ct) is { } c) found.Add(c);
            return found;
        }

        public void Record(Guid campaignId, object e)
        {
            _streams[campaignId].AppendOne(e);
            _now[campaignId] = Campaign.Next(_now[campaignId], e)!;
        }

        /// <summary>Writes what was recorded, and returns the campaign as it now stands.</summary>
        public async Task<IResult> SaveAsync(Guid campaignId, CancellationToken ct)
        {
            await session.SaveChangesAsync(ct);
            return Results.Ok(await DetailAsync(session, _now[campaignId], ct));
        }

        public async Task<IResult> UnchangedAsync(Guid campaignId, CancellationToken ct) => Results.Ok(await DetailAsync(session, _now[campaignId], ct));
    }

    private static void Verb<T>(IEndpointRouteBuilder app, string verb, string name, string summary, System.Action<T, ValidationErrors> validate, Action<T> action)
        where T : class =>
        app.MapPost(Path + "/{campaignId:guid}/" + verb, async (Guid campaignId, HttpRequest request, ClaimsPrincipal user, IDocumentStore store,
                TimeProvider clock, CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<T>(request, ct, allowEmpty: typeof(T) == typeof(CampaignNoteInput) && verb == "confirm");
                if (problem is not null) return problem;
                input ??= Activator.CreateInstance<T>();
                var errors = new ValidationErrors();
                validate(input, errors);
                if (!errors.IsEmpty) return errors.ToProblem();
                string by = user.FindFirst(Claims.KeyId)?.Value ?? "admin";
                for (int attempt = 1; ; attempt++)
                {
                    if (attempt > 1) await Task.Delay(Backoff(attempt - 1), ct);
                    await using var session = store.LightweightSession();
                    var acting = new Acting(session);
                    var campaign = await acting.LoadAsync(campaignId, ct);
                    if (campaign is null) return NotFound();
                    if (!campaign.IsOpen) return Conflict($"The campaign was merged into {campaign.MergedInto}; act on that one.");
                    try
                    {
                        return await action(campaign, input, by, acting, clock, ct);
                    }
                    catch (JasperFx.ConcurrencyException) when (attempt < Attempts)
                    {
                        // Changed while this was being recorded: nothing was written; act again on the campaign as it is now.
                    }
                    catch (JasperFx.ConcurrencyException)
                    {
                        return Conflict("The campaign kept changing while this was being recorded; nothing was recorded. Try again.");
                    }
                }
            })
            .RequireAuthorization(Roles.Analyst).WithName(name).WithTags("Analysis").WithSummary(summary)
            .Accepts<T>("application/json")
            .Produces<CampaignDetail>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

    private static IResult NotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such campaign");

    private static IResult Conflict(string detail) => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible in the campaign's state", detail: detail);

    private static string? Text(string? value, string field, ValidationErrors errors, bool required)
    {
        string? text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            if (required) errors.Add(field, "Required.");
            return null;
        }
        if (text.Length > MaxText) errors.Add(field, $"Must be at most {MaxText} characters.");
        return text;
    }

    private static async Task<IResult> Confirm(Campaign c, CampaignNoteInput input, string by, Acting acting, TimeProvider clock, CancellationToken ct)
    {
        string? note = input.Note?.Trim() is { Length: > 0 } n ? n : null;
        if (c.Status == CampaignStatus.Confirmed) return await acting.UnchangedAsync(c.Id, ct); // already: nothing to record
        acting.Record(c.Id, new CampaignConfirmedByAnalyst(c.Id, by, note, clock.GetUtcNow()));
        return await acting.SaveAsync(c.Id, ct);
    }

    private static async Task<IResult> Dismiss(Campaign c, CampaignDismissInput input, string by, Acting acting, TimeProvider clock, CancellationToken ct)
    {
        if (c.Status == CampaignStatus.Dismissed) return await acting.UnchangedAsync(c.Id, ct);
        acting.Record(c.Id, new CampaignDismissedByAnalyst(c.Id, by, input.Reason!.Trim(), clock.GetUtcNow()));
        return await acting.SaveAsync(c.Id, ct);
    }

    private static async Task<IResult> Annotate(Campaign c, CampaignNoteInput input, string by, Acting acting, TimeProvider clock, CancellationToken ct)
    {
        acting.Record(c.Id, new CampaignAnnotated(c.Id, by, input.Note!.Trim(), clock.GetUtcNow()));
        return await acting.SaveAsync(c.Id, ct);
    }

    private static async Task<IResult> Split(Campaign c, CampaignSplitInput input, string by, Acting acting, TimeProvider clock, CancellationToken ct)
    {
        // The body was checked before the campaign was loaded; only membership needs the campaign.
        var errors = new ValidationErrors();
        if (c.Members.All(m => m.ReportId != input.ReportId)) errors.Add("reportId", "Not a report of this campaign.");
        if (!errors.IsEmpty) return errors.ToProblem();
        string? reason = input.Reason?.Trim() is { Length: > 0 } r ? r : null;
        acting.Record(c.Id, new CampaignReportSplitOff(c.Id, input.ReportId!.Value, by, reason, clock.GetUtcNow()));
        return await acting.SaveAsync(c.Id, ct);
    }

    private static async Task<IResult> Merge(Campaign c, CampaignMergeInput input, string by, Acting acting, TimeProvider clock, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var ids = input.CampaignIds!.Distinct().ToList();
        if (ids.Contains(c.Id)) errors.Add("campaignIds", "A campaign cannot be merged into itself.");
        var others = await acting.LoadManyAsync(ids.Where(id => id != c.Id).ToList(), ct);
        foreach (var missing in ids.Where(id => id != c.Id).Except(others.Select(o => o.Id))) errors.Add("campaignIds", $"No campaign {missing}.");
        foreach (var merged in others.Where(o => !o.IsOpen)) errors.Add("campaignIds", $"Campaign {merged.Id} was already merged into {merged.MergedInto}.");
        if (!errors.IsEmpty) return errors.ToProblem();

        var now = clock.GetUtcNow();
        acting.Record(c.Id, new CampaignAbsorbed(c.Id, others.Select(o => o.Id).ToList(), others.SelectMany(o => o.Members).ToList(), by, now));
        foreach (var other in others) acting.Record(other.Id, new CampaignMergedInto(other.Id, c.Id, by, now));
        return await acting.SaveAsync(c.Id, ct);
    }

    private static async Task<IResult> List(HttpRequest request, IQuerySession session, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var q = request.Query;
        CampaignStatus? status = null;
        if (q["status"].ToString() is { Length: > 0 } s)
        {
            if (Enum.GetValues<CampaignStatus>().FirstOrDefault(v => CampaignSummary.StatusName(v) == s) is var parsed && CampaignSummary.StatusName(parsed) == s) status = parsed;
            else errors.Add("status", $"Must be one of: {string.Join(", ", Enum.GetValues<CampaignStatus>().Select(CampaignSummary.StatusName))}.");
        }
        string? country = QueryFilters.Country(q["country"], errors);
        var platform = QueryFilters.Enum<Platform>(q["platform"], "platform", errors);
        var from = QueryDates.Parse(q["from"], "from", errors);
        var to = QueryDates.Parse(q["to"], "to", errors);
        if (from > to) errors.Add("from", "Must not be after 'to'.");
        var (after, limit) = PageCursor.Read(q, errors);
        if (!errors.IsEmpty) return errors.ToProblem();

        var query = session.Query<Campaign>().AsQueryable();
        query = status is { } st ? query.Where(c => c.Status == st) : query.Where(c => c.Status != CampaignStatus.Merged);
        if (country is not null) query = query.Where(c => c.Members.Any(m => m.Country == country));
        if (platform is { } p) query = query.Where(c => c.Members.Any(m => m.Platform == p));
        if (from is { } f)
        {
            var start = new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            query = query.Where(c => c.LastSeen >= start);
        }
        if (to is { } t)
        {
            var end = new DateTimeOffset(t.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            query = query.Where(c => c.FirstSeen < end);
        }
        if (after is { } cur)
        {
            var at = new DateTimeOffset(cur.Key, TimeSpan.Zero);
            query = query.Where(c => c.RaisedAt < at || (c.RaisedAt == at && c.Id.CompareTo(cur.Id) < 0));
        }
        var page = await query.OrderByDescending(c => c.RaisedAt).ThenByDescending(c => c.Id).Take(limit + 1).ToListAsync(ct);
        string? next = page.Count > limit ? PageCursor.Encode(page[limit - 1].RaisedAt.UtcTicks, page[limit - 1].Id) : null;
        return Results.Ok(new CampaignPage(page.Take(limit).Select(CampaignSummary.Of).ToList(), next));
    }

    // The campaign as its events make it now: its document may lag a moment behind an action just recorded.
    private static async Task<IResult> Get(Guid campaignId, IQuerySession session, CancellationToken ct) =>
        await session.Events.AggregateStreamAsync<Campaign>(campaignId, token: ct) is { } c ? Results.Ok(await DetailAsync(session, c, ct)) : NotFound();

    private static async Task<CampaignDetail> DetailAsync(IQuerySession session, Campaign c, CancellationToken ct)
    {
        var countries = c.Members.Select(m => m.Country).Distinct().ToList();
        var first = DateOnly.FromDateTime(c.FirstSeen.UtcDateTime);
        var last = DateOnly.FromDateTime(c.LastSeen.UtcDateTime);
        var periods = await session.Query<CivicPeriod>().Where(p => p.Start <= last && p.End >= first).ToListAsync(ct);
        return new CampaignDetail(c.Id, CampaignSummary.StatusName(c.Status), c.Score, c.PValue, c.ReportCount, c.FirstSeen, c.LastSeen, c.Signals,
            c.Members.OrderBy(m => m.OccurredAt).Select(m => new CampaignReportView(m.ReportId, m.ExternalId, m.OrganisationId, m.OccurredAt, m.Platform, m.Country)).ToList(),
            c.Timeline, periods.Where(p => countries.Contains(p.Country)).OrderBy(p => p.Start).Select(p => p.ToRef()).ToList(), c.DismissReason, c.MergedInto);
    }
}
