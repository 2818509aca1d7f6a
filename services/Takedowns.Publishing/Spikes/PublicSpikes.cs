using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Takedowns.Contracts.Analysis;
using Takedowns.Publishing.Patterns;
using Takedowns.ServiceDefaults;

namespace Takedowns.Publishing.Spikes;

/// <summary>
/// A spike Correlation found, as the public may see it: a slice, a window and counts, never a report. <paramref name="UpdatedAt"/>:
/// when Correlation last detected, reinstated or ended it (absent on documents written before it was kept).
/// </summary>
public sealed record PublicSpike(
    Guid Id, Slice Slice, string Country, DateOnly Start, DateOnly End, int Observed, double Expected, bool Ended, bool Withdrawn,
    IReadOnlyList<CivicPeriodRef> CivicPeriods, DateTimeOffset? UpdatedAt = null);

/// <summary>
/// Keeps the public list of spikes. Idempotent and order-tolerant: a detection arriving after the spike's end does not
/// reopen it, unless it reinstates a withdrawn spike and is the later of the two; an end older than what is kept (a
/// withdrawal redelivered after the reinstatement that followed it) changes nothing; redeliveries write the same
/// document again.
/// </summary>
public sealed class SpikeConsumer(IDocumentSession session) : IConsumer<SpikeDetected>, IConsumer<SpikeEnded>
{
    public async Task Consume(ConsumeContext<SpikeDetected> context)
    {
        var m = context.Message;
        var known = await session.LoadAsync<PublicSpike>(m.SpikeId, context.CancellationToken);
        bool reinstates = known is { Withdrawn: true } && m.Reinstated && (known.UpdatedAt is null || m.DetectedAt > known.UpdatedAt);
        if (known is not null && !reinstates) return;
        session.Store(new PublicSpike(m.SpikeId, m.Slice, m.Slice.Country, m.Start, m.End, m.Observed, m.Expected, false, false, m.CivicPeriods, m.DetectedAt));
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<SpikeEnded> context)
    {
        var m = context.Message;
        var known = await session.LoadAsync<PublicSpike>(m.SpikeId, context.CancellationToken);
        if (known?.UpdatedAt > m.EndedAt) return;
        session.Store(new PublicSpike(m.SpikeId, m.Slice, m.Slice.Country, m.Start, m.End, m.Observed, m.Expected, true, m.Withdrawn,
            known?.CivicPeriods ?? [], m.EndedAt));
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

public sealed record PublicSpikeView(Slice Slice, DateOnly Start, DateOnly End, int Observed, double Expected, string Status, IReadOnlyList<CivicPeriodRef> CivicPeriods);

public sealed record PublicSpikesResponse(int SuppressionThreshold, IReadOnlyList<PublicSpikeView> Items);

public static class PublicSpikeEndpoints
{
    public const int MaxItems = 1000;

    public static void MapPublicSpikes(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/public/spikes", async (HttpRequest request, IQuerySession session, IOptions<PublishingOptions> options, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                var q = request.Query;
                string? country = QueryFilters.Country(q["country"], errors);
                var from = QueryDates.Parse(q["from"], "from", errors);
                var to = QueryDates.Parse(q["to"], "to", errors);
                if (from > to) errors.Add("from", "Must not be after 'to'.");
                if (!errors.IsEmpty) return errors.ToProblem();
                int k = Math.Max(1, options.Value.SuppressionThreshold);
                var query = session.Query<PublicSpike>().Where(s => !s.Withdrawn && s.Observed >= k);
                if (country is not null) query = query.Where(s => s.Country == country);
                if (from is { } f) query = query.Where(s => s.End >= f);
                if (to is { } t) query = query.Where(s => s.Start <= t);
                var spikes = await query.OrderByDescending(s => s.Start).Take(MaxItems).ToListAsync(ct);
                return Results.Ok(new PublicSpikesResponse(k, spikes.Select(s => new PublicSpikeView(
                    s.Slice, s.Start, s.End, s.Observed, Math.Round(s.Expected, 1), s.Ended ? "ended" : "ongoing", s.CivicPeriods)).ToList()));
            })
            .AllowAnonymous()
            .WithName("GetPublicSpikes")
            .WithTags("Public")
            .WithSummary("Spikes in takedowns: when and where more accounts and posts were taken down than usual")
            .WithDescription("Spikes of fewer than k incidents are not shown. from/to: spikes overlapping these days; country: an ISO code.")
            .Produces<PublicSpikesResponse>()
            .ProducesValidationProblem();
}
