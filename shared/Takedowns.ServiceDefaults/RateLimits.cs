using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Takedowns.ServiceDefaults;

public sealed class RateLimitSettings
{
    public const string Section = "RateLimits";

    /// <summary>Requests per second each credential (API key, webhook source, or anonymous address) may sustain.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>How many requests a credential may send at once before the sustained rate applies.</summary>
    public int Burst { get; set; } = 200;
}

/// <summary>
/// A token bucket per credential: per API key (or the admin key), per webhook source, else per client address.
/// A refused request gets 429 with Retry-After, never 503.
/// </summary>
public static class RateLimits
{
    internal static IServiceCollection AddTakedownsRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(RateLimitSettings.Section).Get<RateLimitSettings>() ?? new RateLimitSettings();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                PartitionOf(context) is { } partition
                    ? RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = Math.Max(1, settings.Burst),
                        TokensPerPeriod = Math.Max(1, settings.PermitsPerSecond),
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter("unlimited"));
            o.OnRejected = async (rejected, ct) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"Slow down: try again in {seconds} s.").ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    private static string? PartitionOf(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.MetricsPath)) return null;
        if (context.User.Identity?.IsAuthenticated == true)
            return "key:" + (context.User.FindFirstValue(Claims.KeyId) ?? context.User.Identity.Name);
        if (context.Request.RouteValues.TryGetValue("sourceId", out var source) && source is not null) return $"source:{source}";
        return "address:" + context.Connection.RemoteIpAddress;
    }
}
