using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Publishing.Patterns;
using Takedowns.ServiceDefaults;

namespace Takedowns.Publishing.Campaigns;

/// <summary>
/// A campaign as Publishing knows it. Only confirmed campaigns are shown, as counts, countries, platforms, dates and the
/// kinds of signal: never which reports, organisations or accounts.
/// </summary>
public sealed class PublicCampaign
{
    public Guid Id { get; set; }
    public string Status { get; set; } = "suspected";
    public int ReportCount { get; set; }
    public List<string> Countries { get; set; } = [];
    public List<Platform> Platforms { get; set; } = [];
    public List<string> Signals { get; set; } = [];
    public DateOnly FirstSeen { get; set; }
    public DateOnly LastSeen { get; set; }
    /// <summary>The revision of the campaign the reports, countries, platforms and dates are from (0: none known).</summary>
    public long Revision { get; set; }

    /// <summary>When analysts first confirmed it (absent on campaigns confirmed before it was kept).</summary>
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>
    /// Takes what a campaign held as of a revision, unless what is here is newer: messages of one campaign may arrive
    /// again or overtake each other. A message without a revision (from before revisions were sent) is applied as it comes.
    /// </summary>
    public void Hold(long? revision, int reports, IReadOnlyList<string>? countries, IReadOnlyList<Platform>? platforms,
        DateTimeOffset? firstSeen, DateTimeOffset? lastSeen)
    {
        if (revision is { } r)
        {
            if (r < Revision) return;
            Revision = r;
        }
        ReportCount = reports;
        if (countries is not null) Countries = [.. countries];
        if (platforms is not null) Platforms = [.. platforms];
        if (firstSeen is { } first) FirstSeen = DateOnly.FromDateTime(first.UtcDateTime);
        if (lastSeen is { } last) LastSeen = DateOnly.FromDateTime(last.UtcDateTime);
    }
}

/// <summary>
/// Keeps <see cref="PublicCampaign"/>s. Idempotent: each message sets a state, and a campaign's reports, countries and
/// platforms are taken only from a message at least as new as what is kept, so redeliveries change nothing.
/// </summary>
public sealed class CampaignConsumer(IDocumentSession session) :
    IConsumer<CampaignSuspected>, IConsumer<CampaignConfirmed>, IConsumer<CampaignDismissed>, IConsumer<CampaignsMerged>,
    IConsumer<CampaignReportSplitOff>
{
    /// <summary>The revision of a campaign's first event, which its suspicion comes from.</summary>
    private const long Raised = 1;

    public async Task Consume(ConsumeContext<CampaignSuspected> context)
    {
        var m = context.Message;
        var c = await LoadAsync(m.CampaignId, context.CancellationToken);
        c.Hold(Raised, m.ReportIds.Count, m.Countries, m.Platforms, m.FirstSeen, m.LastSeen);
        c.Signals = [.. m.Signals];
        await SaveAsync(c, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<CampaignConfirmed> context)
    {
        var m = context.Message;
        var c = await LoadAsync(m.CampaignId, context.CancellationToken);
        c.Status = "confirmed";
        c.ConfirmedAt ??= m.ConfirmedAt;
        c.Hold(m.Revision, m.ReportIds.Count, m.Countries, m.Platforms, m.FirstSeen, m.LastSeen);
        await SaveAsync(c, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<CampaignDismissed> context)
    {
        var c = await LoadAsync(context.Message.CampaignId, context.CancellationToken);
        c.Status = "dismissed";
        await SaveAsync(c, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<CampaignsMerged> context)
    {
        var m = context.Message;
        foreach (var id in m.MergedIds)
            if (await session.LoadAsync<PublicCampaign>(id, context.CancellationToken) is { } merged)
            {
                merged.Status = "merged";
                session.Store(merged);
            }
        if (await session.LoadAsync<PublicCampaign>(m.CampaignId, context.CancellationToken) is { } target)
        {
            target.Hold(m.Revision, m.ReportIds.Count, m.Countries, m.Platforms, m.FirstSeen, m.LastSeen);
            session.Store(target);
        }
        await session.SaveChangesAsync(context.CancellationToken);
    }

    /// <summary>The campaign follows without the report: fewer reports (perhaps fewer than k, and then out of view), and the countries and platforms of the rest.</summary>
    public async Task Consume(ConsumeContext<CampaignReportSplitOff> context)
    {
        var m = context.Message;
        var c = await LoadAsync(m.CampaignId, context.CancellationToken);
        c.Hold(m.Revision, m.ReportIds.Count, m.Countries, m.Platforms, m.FirstSeen, m.LastSeen);
        await SaveAsync(c, context.CancellationToken);
    }

    private async Task<PublicCampaign> LoadAsync(Guid id, CancellationToken ct) =>
        await session.LoadAsync<PublicCampaign>(id, ct) ?? new PublicCampaign { Id = id };

    private async Task SaveAsync(PublicCampaign c, CancellationToken ct)
    {
        session.Store(c);
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>
/// One campaign message at a time: each reads a campaign and writes it back, so two at once (a confirmation and a split)
/// could each write over the other's change. Analysts' decisions are few; taking them one by one costs nothing.
/// </summary>
public sealed class CampaignConsumerDefinition : ConsumerDefinition<CampaignConsumer>
{
    public CampaignConsumerDefinition() => ConcurrentMessageLimit = 1;
}

public sealed record PublicCampaignView(int ReportCount, IReadOnlyList<string> Countries, IReadOnlyList<Platform> Platforms, IReadOnlyList<string> Signals, DateOnly FirstSeen, DateOnly LastSeen);

public sealed record PublicCampaignsResponse(int SuppressionThreshold, IReadOnlyList<PublicCampaignView> Items);

public static class PublicCampaignEndpoints
{
    public static void MapPublicCampaigns(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/public/campaigns", async (IQuerySession session, IOptions<PublishingOptions> options, CancellationToken ct) =>
            {
                int k = Math.Max(1, options.Value.SuppressionThreshold);
                var campaigns = await session.Query<PublicCampaign>().Where(c => c.Status == "confirmed" && c.ReportCount >= k)
                    .OrderByDescending(c => c.LastSeen).Take(1000).ToListAsync(ct);
                return Results.Ok(new PublicCampaignsResponse(k, campaigns.Select(c =>
                    new PublicCampaignView(c.ReportCount, c.Countries, c.Platforms, c.Signals, c.FirstSeen, c.LastSeen)).ToList()));
            })
            .AllowAnonymous()
            .WithName("GetPublicCampaigns")
            .WithTags("Public")
            .WithSummary("Coordinated complaint campaigns analysts confirmed: how many takedowns, where, when, and what gave them away")
            .WithDescription("Campaigns of fewer than k takedowns are not shown. No report, organisation or account is ever named.")
            .Produces<PublicCampaignsResponse>();
}
