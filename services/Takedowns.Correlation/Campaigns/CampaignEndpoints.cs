using System.Security.Claims;
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
/// detector's cluster follows it (a dismissed campaign is not raised again for the same reports; a report split off is
/// not linked back).
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

    private delegate Task<IResult> Action<T>(Campaign campaign, T input, string by, IDocumentSession session, TimeProvider clock, CancellationToken ct);

    private static void Verb<T>(IEndpointRouteBuilder app, string verb, string name, string summary, System.Action<T, ValidationErrors> validate, Action<T> action)
        where T : class =>
        app.MapPost(Path + "/{campaignId:guid}/" + verb, async (Guid campaignId, HttpRequest request, ClaimsPrincipal user, IDocumentSession session,
                TimeProvider clock, CancellationToken ct) =>
            {
                var (input, problem) = await JsonBody.ReadAsync<T>(request, ct, allowEmpty: typeof(T) == typeof(CampaignNoteInput) && verb == "confirm");
                if (problem is not null) return problem;
                input ??= Activator.CreateInstance<T>();
                var errors = new ValidationErrors();
                validate(input, errors);
                if (!errors.IsEmpty) return errors.ToProblem();
                var campaign = await session.LoadAsync<Campaign>(campaignId, ct);
                if (campaign is null) return NotFound();
                if (!campaign.IsOpen) return Conflict($"The campaign was merged into {campaign.MergedInto}; act on that one.");
                string by = user.FindFirst(Claims.KeyId)?.Value ?? "admin";
                return await action(campaign, input, by, session, clock, ct);
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

    private static async Task<CandidateCluster?> ClusterOf(IDocumentSession session, Guid campaignId, CancellationToken ct) =>
        await session.Query<CandidateCluster>().Where(c => c.CampaignId == campaignId).FirstOrDefaultAsync(ct);

    private static async Task<IResult> Saved(IDocumentSession session, Guid campaignId, CancellationToken ct)
    {
        await session.SaveChangesAsync(ct);
        return Results.Ok(await DetailAsync(session, (await session.LoadAsync<Campaign>(campaignId, ct))!, ct));
    }

    private static async Task<IResult> Confirm(Campaign c, CampaignNoteInput input, string by, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        string? note = input.Note?.Trim() is { Length: > 0 } n ? n : null;
        if (c.Status == CampaignStatus.Confirmed) return Results.Ok(await DetailAsync(session, c, ct)); // already: nothing to record
        session.Events.Append(c.Id, new CampaignConfirmedByAnalyst(c.Id, by, note, clock.GetUtcNow()));
        if (await ClusterOf(session, c.Id, ct) is { Dismissed: true } cluster)
        {
            cluster.Dismissed = false;
            session.Store(cluster);
        }
        return await Saved(session, c.Id, ct);
    }

    private static async Task<IResult> Dismiss(Campaign c, CampaignDismissInput input, string by, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (c.Status == CampaignStatus.Dismissed) return Results.Ok(await DetailAsync(session, c, ct));
        session.Events.Append(c.Id, new CampaignDismissedByAnalyst(c.Id, by, input.Reason!.Trim(), clock.GetUtcNow()));
        if (await ClusterOf(session, c.Id, ct) is { } cluster)
        {
            cluster.Dismissed = true;
            session.Store(cluster);
        }
        return await Saved(session, c.Id, ct);
    }

    private static async Task<IResult> Annotate(Campaign c, CampaignNoteInput input, string by, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        session.Events.Append(c.Id, new CampaignAnnotated(c.Id, by, input.Note!.Trim(), clock.GetUtcNow()));
        return await Saved(session, c.Id, ct);
    }

    private static async Task<IResult> Split(Campaign c, CampaignSplitInput input, string by, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        // The body was checked before the campaign was loaded; only membership needs the campaign.
        var errors = new ValidationErrors();
        if (c.Members.All(m => m.ReportId != input.ReportId)) errors.Add("reportId", "Not a report of this campaign.");
        if (!errors.IsEmpty) return errors.ToProblem();
        string? reason = input.Reason?.Trim() is { Length: > 0 } r ? r : null;
        session.Events.Append(c.Id, new CampaignReportSplitOff(c.Id, input.ReportId!.Value, by, reason, clock.GetUtcNow()));
        if (await ClusterOf(session, c.Id, ct) is { } cluster)
        {
            cluster.Members.Remove(input.ReportId.Value);
            cluster.Announced.Remove(input.ReportId.Value);
            cluster.SplitOff.Add(input.ReportId.Value);
            session.Store(cluster);
        }
        if (await session.LoadAsync<NoticeProfile>(input.ReportId.Value, ct) is { } profile)
        {
            profile.ClusterId = null;
            session.Store(profile);
        }
        return await Saved(session, c.Id, ct);
    }

    private static async Task<IResult> Merge(Campaign c, CampaignMergeInput input, string by, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var ids = input.CampaignIds!.Distinct().ToList();
        if (ids.Contains(c.Id)) errors.Add("campaignIds", "A campaign cannot be merged into itself.");
        var others = (await session.LoadManyAsync<Campaign>(ct, ids)).ToList();
        foreach (var missing in ids.Except(others.Select(o => o.Id))) errors.Add("campaignIds", $"No campaign {missing}.");
        foreach (var merged in others.Where(o => !o.IsOpen)) errors.Add("campaignIds", $"Campaign {merged.Id} was already merged into {merged.MergedInto}.");
        if (!errors.IsEmpty) return errors.ToProblem();

        var now = clock.GetUtcNow();
        session.Events.Append(c.Id, new CampaignAbsorbed(c.Id, others.Select(o => o.Id).ToList(), others.SelectMany(o => o.Members).ToList(), by, now));
        foreach (var other in others) session.Events.Append(other.Id, new CampaignMergedInto(other.Id, c.Id, by, now));
        // The detector's clusters follow: one cluster, owned by this campaign.
        var target = await ClusterOf(session, c.Id, ct);
        foreach (var other in others)
        {
            if (await ClusterOf(session, other.Id, ct) is not { } cluster || target is null) continue;
            target.Members.AddRange(cluster.Members.Except(target.Members));
            target.Announced.AddRange(cluster.Members.Except(target.Announced));
            target.SplitOff.AddRange(cluster.SplitOff.Except(target.SplitOff));
            foreach (var profile in await session.LoadManyAsync<NoticeProfile>(ct, cluster.Members))
            {
                profile.ClusterId = target.Id;
                session.Store(profile);
            }
            session.Delete<CandidateCluster>(cluster.Id);
        }
        if (target is not null) session.Store(target);
        return await Saved(session, c.Id, ct);
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

    private static async Task<IResult> Get(Guid campaignId, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<Campaign>(campaignId, ct) is { } c ? Results.Ok(await DetailAsync(session, c, ct)) : NotFound();

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
