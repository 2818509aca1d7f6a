using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Takedowns.ServiceDefaults;

namespace Takedowns.Intake.Organisations;

/// <summary>
/// A stored API key: its id and the SHA-256 of its secret. Keys read <c>tdk_&lt;id&gt;_&lt;secret&gt;</c>; the id finds the
/// record, the secret is compared by hash in constant time. 32 random bytes need no slow hash.
/// </summary>
public sealed record ApiKey(
    Guid Id, Guid OrganisationId, string SecretHash, string[] Roles, DateTimeOffset IssuedAt,
    DateTimeOffset? LastUsedAt = null, DateTimeOffset? RevokedAt = null, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>The part of the key that may be shown again: it identifies the key, it does not unlock anything.</summary>
    public string Prefix => $"{PrefixText}{Id:N}";

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    private const string PrefixText = "tdk_";

    public static (ApiKey Stored, string Plaintext) Issue(Guid organisationId, string[] roles, DateTimeOffset now)
    {
        var id = Guid.NewGuid();
        string secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (new ApiKey(id, organisationId, Hash(secret), roles, now), $"{PrefixText}{id:N}_{secret}");
    }

    public static bool TryParse(string token, out Guid id, out string secret)
    {
        id = Guid.Empty;
        secret = "";
        if (!token.StartsWith(PrefixText, StringComparison.Ordinal)) return false;
        string rest = token[PrefixText.Length..];
        int separator = rest.IndexOf('_');
        if (separator != 32 || !Guid.TryParseExact(rest[..separator], "N", out id)) return false;
        secret = rest[(separator + 1)..];
        return secret.Length > 0;
    }

    public bool Matches(string secret) =>
        CryptographicOperations.FixedTimeEquals(Convert.FromHexString(SecretHash), Convert.FromHexString(Hash(secret)));

    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public sealed class ApiKeyResolver(IDocumentStore store, TimeProvider clock) : IApiKeyResolver
{
    /// <summary>Last use is recorded at most this often per key, so reads do not each cost a write.</summary>
    private static readonly TimeSpan LastUsedGranularity = TimeSpan.FromMinutes(1);

    public async ValueTask<IReadOnlyList<Claim>?> ResolveAsync(string token, CancellationToken ct)
    {
        if (!ApiKey.TryParse(token, out var id, out string secret)) return null;
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
        return
        [
            new Claim(ClaimTypes.Name, $"key:{key.Id:N}"),
            new Claim(Claims.KeyId, key.Id.ToString()),
            new Claim(Claims.OrganisationId, key.OrganisationId.ToString()),
            .. key.Roles.Select(r => new Claim(ClaimTypes.Role, r)),
        ];
    }
}
