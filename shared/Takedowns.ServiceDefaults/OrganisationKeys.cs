using System.Security.Claims;
using Marten;
using MassTransit;
using Takedowns.Contracts.Organisations;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// An organisation's API key as a service other than Intake knows it from Intake's key events (Correlation and
/// Escalation, which answer organisations' keys): the hash of its secret, its roles and
/// until when it works. Events may arrive more than once or out of order, so each one only adds what it knows: a key
/// revoked before its issue arrived stays revoked, and the earliest end of validity wins.
/// </summary>
public sealed record OrganisationKey(
    Guid Id, Guid OrganisationId, string? SecretSha256, string[] Roles, DateTimeOffset? ExpiresAt, DateTimeOffset? ValidUntil)
{
    public static OrganisationKey With(OrganisationKey? known, ApiKeyIssued e) =>
        (known ?? new OrganisationKey(e.KeyId, e.OrganisationId, null, [], null, null)) with
        {
            OrganisationId = e.OrganisationId, SecretSha256 = e.SecretSha256, Roles = [.. e.Roles],
            ExpiresAt = Earliest(known?.ExpiresAt, e.ExpiresAt),
        };

    public static OrganisationKey With(OrganisationKey? known, ApiKeyRevoked e) =>
        (known ?? new OrganisationKey(e.KeyId, e.OrganisationId, null, [], null, null)) with { ValidUntil = Earliest(known?.ValidUntil, e.ValidUntil) };

    /// <summary>As Intake decides it: issued, not revoked, not expired, and within its overlap if it was rotated.</summary>
    public bool IsUsableAt(DateTimeOffset now) =>
        SecretSha256 is not null && (ValidUntil is null || ValidUntil > now) && (ExpiresAt is null || ExpiresAt > now);

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}

/// <summary>Keeps <see cref="OrganisationKey"/>s from Intake's key events, one message at a time (see the definition).</summary>
public sealed class OrganisationKeyConsumer(IDocumentSession session) : IConsumer<ApiKeyIssued>, IConsumer<ApiKeyRevoked>
{
    public Task Consume(ConsumeContext<ApiKeyIssued> context) =>
        UpdateAsync(context.Message.KeyId, known => OrganisationKey.With(known, context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<ApiKeyRevoked> context) =>
        UpdateAsync(context.Message.KeyId, known => OrganisationKey.With(known, context.Message), context.CancellationToken);

    private async Task UpdateAsync(Guid keyId, Func<OrganisationKey?, OrganisationKey> update, CancellationToken ct)
    {
        session.Store(update(await session.LoadAsync<OrganisationKey>(keyId, ct)));
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>
/// One key message at a time: each reads a key's record and writes it back, so two at once (an issue and its revocation)
/// could each write over the other's change. Key events are few; taking them one by one costs nothing.
/// </summary>
public sealed class OrganisationKeyConsumerDefinition : ConsumerDefinition<OrganisationKeyConsumer>
{
    public OrganisationKeyConsumerDefinition() => ConcurrentMessageLimit = 1;
}

/// <summary>
/// Answers organisations' keys from <see cref="OrganisationKey"/>s. Nothing is cached: a revocation holds from the moment
/// its event is stored here.
/// </summary>
public sealed class OrganisationKeyResolver(IDocumentStore store, TimeProvider clock) : IApiKeyResolver
{
    public async ValueTask<IReadOnlyList<Claim>?> ResolveAsync(string token, CancellationToken ct)
    {
        if (!ApiKeyToken.TryParse(token, out var id, out string secret)) return null;
        OrganisationKey? key;
        await using (var session = store.QuerySession())
            key = await session.LoadAsync<OrganisationKey>(id, ct);
        if (key?.SecretSha256 is not { } hash || !ApiKeyToken.Matches(hash, secret) || !key.IsUsableAt(clock.GetUtcNow())) return null;
        return ApiKeyToken.ClaimsOf(key.Id, key.OrganisationId, key.Roles);
    }
}
