using Microsoft.Extensions.Diagnostics.HealthChecks;
using Takedowns.ServiceDefaults;

namespace Takedowns.Gateway;

/// <summary>
/// The gateway is ready when every service behind it has an instance ready; degraded when an instance is not, or when a
/// service says it is degraded itself (something parked, or lagging: its own <c>/health/ready</c> says what).
/// </summary>
public sealed class DownstreamReadiness(IHttpClientFactory clients, IConfiguration configuration) : IHealthCheck
{
    public const string HttpClientName = "readiness";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var client = clients.CreateClient(HttpClientName);
        var instances = Routes.Prefixes.Keys.SelectMany(service => Routes.Instances(configuration, service).Select(address => (service, address))).ToList();
        var answers = await Task.WhenAll(instances.Select(async instance =>
        {
            try
            {
                using var response = await client.GetAsync($"{instance.address}{ServiceDefaultsExtensions.ReadyPath}", ct);
                if (!response.IsSuccessStatusCode) return (instance.service, instance.address, Status: HealthStatus.Unhealthy);
                return (instance.service, instance.address, Status: HealthJson.StatusOf(await response.Content.ReadAsStringAsync(ct)) ?? HealthStatus.Healthy);
            }
            catch (HttpRequestException)
            {
                return (instance.service, instance.address, Status: HealthStatus.Unhealthy);
            }
        }));
        var notReady = answers.GroupBy(a => a.service).Where(g => g.All(a => a.Status == HealthStatus.Unhealthy)).Select(g => g.Key).Order().ToList();
        if (notReady.Count > 0) return HealthCheckResult.Unhealthy($"Not ready: {string.Join(", ", notReady)}");
        var down = answers.Where(a => a.Status == HealthStatus.Unhealthy).Select(a => $"{a.service} at {a.address} not ready").ToList();
        var degraded = answers.Where(a => a.Status == HealthStatus.Degraded).Select(a => a.service).Distinct().Order().ToList();
        if (down.Count == 0 && degraded.Count == 0) return HealthCheckResult.Healthy();
        return HealthCheckResult.Degraded(string.Join("; ", down.Concat(degraded.Count > 0 ? [$"Degraded: {string.Join(", ", degraded)}"] : [])));
    }
}
