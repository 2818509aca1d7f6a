using Microsoft.Extensions.Diagnostics.HealthChecks;
using Takedowns.ServiceDefaults;

namespace Takedowns.Gateway;

/// <summary>The gateway is ready when every service behind it is.</summary>
public sealed class DownstreamReadiness(IHttpClientFactory clients, IConfiguration configuration) : IHealthCheck
{
    public const string HttpClientName = "readiness";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var client = clients.CreateClient(HttpClientName);
        var notReady = new List<string>();
        var degraded = new List<string>();
        await Task.WhenAll(Routes.Prefixes.Keys.Select(async service =>
        {
            try
            {
                using var response = await client.GetAsync($"{configuration[$"Services:{service}"]}{ServiceDefaultsExtensions.ReadyPath}", ct);
                if (!response.IsSuccessStatusCode) lock (notReady) notReady.Add(service);
                else if (HealthJson.StatusOf(await response.Content.ReadAsStringAsync(ct)) == HealthStatus.Degraded) lock (degraded) degraded.Add(service);
            }
            catch (HttpRequestException)
            {
                lock (notReady) notReady.Add(service);
            }
        }));
        if (notReady.Count > 0) return HealthCheckResult.Unhealthy($"Not ready: {string.Join(", ", notReady.Order())}");
        // Degraded (something parked, or lagging): each service's own /health/ready says what.
        return degraded.Count > 0 ? HealthCheckResult.Degraded($"Degraded: {string.Join(", ", degraded.Order())}") : HealthCheckResult.Healthy();
    }
}
