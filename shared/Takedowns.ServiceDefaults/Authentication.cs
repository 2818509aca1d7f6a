using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Takedowns.ServiceDefaults;

/// <summary>Resolves a bearer token that is not the admin key (an organisation's API key) to its claims.</summary>
public interface IApiKeyResolver
{
    ValueTask<IReadOnlyList<Claim>?> ResolveAsync(string token, CancellationToken ct);
}

/// <summary>
/// The form of an organisation's API key, <c>tdk_&lt;32 hex id&gt;_&lt;secret&gt;</c>, and how its secret is kept: the SHA-256 of
/// the secret's UTF-8 bytes, in upper-case hex. Intake issues keys and stores that hash; other services learn it from
/// Intake's key events and check keys against it the same way. 32 random bytes need no slow hash.
/// </summary>
public static class ApiKeyToken
{
    public const string Prefix = "tdk_";

    public static string Format(Guid id, string secret) => $"{Prefix}{id:N}_{secret}";

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

    public static string HashSecret(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Whether <paramref name="secret"/> is the one <paramref name="storedHash"/> was made from, compared in constant time.</summary>
    public static bool Matches(string storedHash, string secret) =>
        storedHash.Length == 64 && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(storedHash), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>What a request made with an organisation's key may say of its caller.</summary>
    public static IReadOnlyList<Claim> ClaimsOf(Guid keyId, Guid organisationId, IEnumerable<string> roles) =>
    [
        new Claim(ClaimTypes.Name, $"key:{keyId:N}"),
        new Claim(Claims.KeyId, keyId.ToString()),
        new Claim(Claims.OrganisationId, organisationId.ToString()),
        .. roles.Select(r => new Claim(ClaimTypes.Role, r)),
    ];
}

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>. The admin key (configuration <c>TAKEDOWNS_ADMIN_KEY</c>) holds every role;
/// any other key is asked of the service's <see cref="IApiKeyResolver"/>, if it has one.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IConfiguration configuration,
    IServiceProvider services) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <key>'.");
        string token = header["Bearer ".Length..].Trim();

        List<Claim> claims;
        if (IsAdminKey(token))
        {
            claims = [new Claim(ClaimTypes.Name, "admin"), .. Roles.All.Select(r => new Claim(ClaimTypes.Role, r))];
        }
        else if (services.GetService<IApiKeyResolver>() is { } resolver
                 && await resolver.ResolveAsync(token, Context.RequestAborted) is { } resolved)
        {
            // An organisation's key acts within its organisation: the global admin role is the deployment's admin key's
            // alone, whatever a key issued before that rule says.
            claims = [.. resolved.Where(c => !(c.Type == ClaimTypes.Role && c.Value == Roles.Admin))];
        }
        else
        {
            return AuthenticateResult.Fail("Unknown or revoked key.");
        }

        var identity = new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private bool IsAdminKey(string token)
    {
        string? admin = configuration[Settings.AdminKey];
        if (string.IsNullOrEmpty(admin)) return false;
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(token)), SHA256.HashData(Encoding.UTF8.GetBytes(admin)));
    }
}

public static class AuthenticationSetup
{
    internal static IServiceCollection AddTakedownsAuth(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            // Every endpoint needs a credential unless it says otherwise with AllowAnonymous.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Roles.Analyst, p => p.RequireRole(Roles.Analyst, Roles.Admin))
            .AddPolicy(Roles.Escalation, p => p.RequireRole(Roles.Escalation, Roles.Admin))
            // Reporting acts for an organisation, so the key must belong to one.
            .AddPolicy(Roles.Reporter, p => p.RequireRole(Roles.Reporter).RequireClaim(Claims.OrganisationId));
        return services;
    }

    public static Guid OrganisationId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(Claims.OrganisationId)
                   ?? throw new InvalidOperationException("The caller does not act for an organisation."));

    /// <summary>The organisation the caller acts for; null for the network's administrator, whose scope is everything.</summary>
    public static Guid? Scope(this ClaimsPrincipal user) =>
        user.FindFirstValue(Claims.OrganisationId) is { } id ? Guid.Parse(id) : null;
}
