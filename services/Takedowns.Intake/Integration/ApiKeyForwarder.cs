using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Takedowns.Intake.Organisations;
using Takedowns.ServiceDefaults;
using Takedowns.ServiceDefaults.Parking;
using Contract = Takedowns.Contracts.Organisations;

namespace Takedowns.Intake.Integration;

/// <summary>
/// The outbox of API keys: a Marten subscription that publishes each key's issue and revocation, so that services that
/// answer organisations' keys (Correlation's analysis) keep a table of their own. It carries the hash of a key's secret,
/// never the secret, which Intake does not have either. A subscription of its own, beside the reports': a key event
/// that cannot be published (no service listening yet) holds back other keys, never reports. Progress is saved only
/// after a page is published; a page published again changes nothing where it arrives.
/// </summary>
public sealed class ApiKeyForwarder(IBus bus, Parked parked, ILogger<ApiKeyForwarder> logger)
    : ParkingSubscription(SubscriptionName, parked, logger)
{
    public const string SubscriptionName = "api-key-forwarder";

    public static readonly Type[] EventTypes = [typeof(ApiKeyIssued), typeof(ApiKeyRevoked)];

    protected override async Task<IChangeListener> ProcessAsync(EventRange page, IDocumentOperations operations, bool trial, CancellationToken ct)
    {
        // The hash is in the key's document, not in the event: the event history keeps no secret material.
        var issued = page.Events.Select(e => e.Data).OfType<ApiKeyIssued>().Select(e => e.KeyId).Distinct().ToArray();
        var keys = issued.Length == 0 ? new Dictionary<Guid, ApiKey>()
            : (await operations.LoadManyAsync<ApiKey>(ct, issued)).ToDictionary(k => k.Id);
        if (trial) return NullChangeListener.Instance; // nothing here can fail but the publishing
        // In order: a key's revocation must not overtake its issue (the receiving side copes, but need not have to).
        foreach (var e in page.Events)
        {
            switch (e.Data)
            {
                case ApiKeyIssued i when keys.TryGetValue(i.KeyId, out var key):
                    await bus.PublishIntegrationEvent(
                        new Contract.ApiKeyIssued(key.Id, key.OrganisationId, key.Roles, key.SecretHash, key.IssuedAt, key.ExpiresAt), e.Id, ct);
                    break;
                case ApiKeyIssued i:
                    // Every issue stores its key in the same transaction; without one, there is no key to answer.
                    logger.LogWarning("API key {KeyId} was issued but has no stored record; not forwarded", i.KeyId);
                    break;
                case ApiKeyRevoked r:
                    await bus.PublishIntegrationEvent(new Contract.ApiKeyRevoked(r.KeyId, r.OrganisationId, r.RevokedAt, r.EffectiveAt), e.Id, ct);
                    break;
            }
        }
        return NullChangeListener.Instance;
    }
}
