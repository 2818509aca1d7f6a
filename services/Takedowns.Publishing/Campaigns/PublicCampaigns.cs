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
}

/// <summary>Keeps <see cref="PublicCampaign"/>s. Idempotent: each message sets a state, so redeliveries change nothing.</summary>
public sealed class CampaignConsumer(IDocumentSession session) :
    IConsumer<CampaignSuspected>, IConsumer<CampaignConfirmed>, IConsumer<CampaignDismissed>, IConsumer<CampaignsMerged>
{
    public async Task Consume(ConsumeContext<CampaignSuspected> context)
    {
        var m = context.Message;
        var c = await session.LoadAsync<PublicCampaign>(m.CampaignId, context.CancellationToken) ?? new PublicCampaign { Id = m.CampaignId };
        c.ReportCount = Math.Max(c.ReportCount, m.ReportIds.Count);
        c.Countries = [.. m.Countries];
        c.Platforms = [.. m.Platforms];
        c.Signals = [.. m.Signals];
        c.FirstSeen = DateOnly.FromDateTime(m.FirstSeen.UtcDateTime);
        c.LastSeen = DateOnly.FromDateTime(m.LastSeen.UtcDateTime);
        session.Store(c);
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public Task Consume(ConsumeContext<CampaignConfirmed> context) =>
        SetAsync(context.Message.CampaignId, "confirmed", context.Message.ReportIds.Count, context.CancellationToken);

    public Task Consume(ConsumeContext<CampaignDismissed> context) =>
        SetAsync(context.Message.CampaignId, "dismissed", null, context.CancellationToken);

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
            target.ReportCount = m.ReportIds.Count;
            session.Store(target);
        }
        await session.SaveChangesAsync(context.CancellationToken);
    }

    private async Task SetAsync(Guid id, string status, int? reports, CancellationToken ct)
    {
        var c = await session.LoadAsync<PublicCampaign>(id, ct) ?? new PublicCampaign { Id = id };
        c.Status = status;
        if (reports is { } n) c.ReportCount = n;
        session.Store(c);
        await session.SaveChangesAsync(ct);
    }
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
