using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Organisations;

/// <summary>
/// A stored API key: its id and the SHA-256 of its secret (<see cref="ApiKeyToken"/>): the id finds the record, the secret
/// is compared by hash in constant time.
/// </summary>
public sealed record ApiKey(
    Guid Id, Guid OrganisationId, string SecretHash, string[] Roles, DateTimeOffset IssuedAt,
    DateTimeOffset? LastUsedAt = null, DateTimeOffset? RevokedAt = null, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>The part of the key that may be shown again: it identifies the key, it does not unlock anything.</summary>
    public string Prefix => $"{ApiKeyToken.Prefix}{Id:N}";

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public static (ApiKey Stored, string Plaintext) Issue(Guid organisationId, string[] roles, DateTimeOffset now)
    {
        var id = Guid.NewGuid();
        string secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (new ApiKey(id, organisationId, ApiKeyToken.HashSecret(secret), roles, now), ApiKeyToken.Format(id, secret));
    }

    public bool Matches(string secret) => ApiKeyToken.Matches(SecretHash, secret);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public sealed class ApiKeyResolver(IDocumentStore store, TimeProvider clock) : IApiKeyResolver
{
    /// <summary>Last use is recorded at most this often per key, so reads do not each cost a write.</summary>
    private static readonly TimeSpan LastUsedGranularity = TimeSpan.FromMinutes(1);

    public async ValueTask<IReadOnlyList<Claim>?> ResolveAsync(string token, CancellationToken ct)
    {
        if (!ApiKeyToken.TryParse(token, out var id, out string secret)) return null;
        ApiKey? key;
        await using (var session = store.QuerySession())
            key = await session.LoadAsync<ApiKey>(id, ct);
        var now = clock.GetUtcNow();
        if (key is null || !key.Matches(secret) || !key.IsUsableAt(now)) return null;
        if (key.LastUsedAt is null || now - key.LastUsedAt > LastUsedGranularity)
        {
            await using var session = store.LightweightSession();
            // Only this one field is touched, so a revocation committed meanwhile is never overwritten.
            session.QueueSqlCommand(
                $"update {store.Options.Schema.For<ApiKey>()} set data = jsonb_set(data, '{{lastUsedAt}}', to_jsonb(?::text)) where id = ?",
                now.ToString("O"), key.Id);
            await session.SaveChangesAsync(ct);
        }
        return ApiKeyToken.ClaimsOf(key.Id, key.OrganisationId, key.Roles);
    }
}
