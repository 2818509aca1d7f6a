using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace Takedowns.Intake.Webhooks;

/// <summary>
/// Webhook sources read on every webhook, kept a few seconds in memory. Changes made through this process take effect
/// at once; those made through another instance within <see cref="Lifetime"/>.
/// </summary>
public sealed class WebhookSourceCache(IMemoryCache cache, IDocumentStore store)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    public async Task<WebhookSource?> GetAsync(Guid sourceId, CancellationToken ct)
    {
        if (cache.TryGetValue(sourceId, out WebhookSource? source)) return source;
        await using var session = store.QuerySession();
        source = await session.LoadAsync<WebhookSource>(sourceId, ct);
        // Unknown ids are cached too, briefly, so a flood of bad ids does not become a flood of queries.
        cache.Set(sourceId, source, Lifetime);
        return source;
    }

    public void Forget(Guid sourceId) => cache.Remove(sourceId);
}
