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
public sealed record ApiKey(Guid Id, Guid OrganisationId, string SecretHash, string[] Roles, DateTimeOffset IssuedAt)
{
    private const string Prefix = "tdk_";

    public static (ApiKey Stored, string Plaintext) Issue(Guid organisationId, string[] roles, DateTimeOffset now)
    {
        var id = Guid.NewGuid();
        string secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (new ApiKey(id, organisationId, Hash(secret), roles, now), $"{Prefix}{id:N}_{secret}");
    }

    public static bool TryParse(string token, out Guid id, out string secret)
    {
        id = Guid.Empty;
        secret = "";
        if (!token.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        string rest = token[Prefix.Length..];
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

public sealed class ApiKeyResolver(IDocumentStore store) : IApiKeyResolver
{
    public async ValueTask<IReadOnlyList<Claim>?> ResolveAsync(string token, CancellationToken ct)
    {
        if (!ApiKey.TryParse(token, out var id, out string secret)) return null;
        await using var session = store.QuerySession();
        var key = await session.LoadAsync<ApiKey>(id, ct);
        if (key is null || !key.Matches(secret)) return null;
        return
        [
            new Claim(ClaimTypes.Name, $"key:{key.Id:N}"),
            new Claim(Claims.KeyId, key.Id.ToString()),
            new Claim(Claims.OrganisationId, key.OrganisationId.ToString()),
            .. key.Roles.Select(r => new Claim(ClaimTypes.Role, r)),
        ];
    }
}
