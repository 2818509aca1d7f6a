using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Takedowns.ServiceDefaults;

/// <summary>
/// Forwarded headers (the client's address in <c>X-Forwarded-For</c>, which the anonymous rate limit goes by) are taken
/// only from the gateway. Every process on the machine reaches a service's own port from loopback, so loopback proves
/// nothing: the gateway adds <see cref="Header"/>, an HMAC of a fixed label under <c>TAKEDOWNS_SECRETS_KEY</c>, which
/// every service of a deployment is given, and a service drops the forwarded headers of a request without it.
/// </summary>
public static class GatewayProof
{
    public const string Header = "X-Takedowns-Gateway";

    /// <summary>The proof for this deployment; null without a secrets key (nothing is then taken as from the gateway).</summary>
    public static string? Of(IConfiguration configuration)
    {
        string? key = configuration["TAKEDOWNS_SECRETS_KEY"];
        if (string.IsNullOrWhiteSpace(key)) return null;
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key.Trim()), "takedowns:forwarded-by-the-gateway"u8);
        return Convert.ToBase64String(mac);
    }

    /// <summary>Drops the forwarded headers of a request that does not carry the gateway's proof, and the proof itself.</summary>
    public static IApplicationBuilder UseGatewayProof(this IApplicationBuilder app, IConfiguration configuration)
    {
        byte[]? proof = Of(configuration) is { } p ? Encoding.UTF8.GetBytes(p) : null;
        return app.Use(async (context, next) =>
        {
            var headers = context.Request.Headers;
            string given = headers[Header].ToString();
            bool fromGateway = proof is not null && given.Length > 0 &&
                               CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), proof);
            if (!fromGateway)
            {
                headers.Remove("X-Forwarded-For");
                headers.Remove("X-Forwarded-Proto");
                headers.Remove("X-Forwarded-Host");
            }
            headers.Remove(Header);
            await next(context);
        });
    }
}
