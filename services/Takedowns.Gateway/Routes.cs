using Yarp.ReverseProxy.Configuration;

namespace Takedowns.Gateway;

/// <summary>
/// The front door's routing table: which service answers which path. Service addresses come from configuration
/// (<c>Services:intake</c>, ...: one base URL, or several separated by commas, one per instance), so the same table
/// serves one machine or several. Requests are spread over a service's instances; each instance's readiness is checked
/// every few seconds and one that fails twice in a row (or whose connections keep failing) gets no requests until it is
/// ready again.
/// </summary>
public static class Routes
{
    public const string OpenApiPath = "/swagger/v1/swagger.json";

    /// <summary>Path prefixes owned by each service. A new service adds its line here.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Prefixes = new Dictionary<string, string[]>
    {
        ["intake"] = ["/api/admin", "/api/reports", "/webhooks"],
        ["correlation"] = ["/api/analysis"],
        ["publishing"] = ["/api/public"],
        ["escalation"] = ["/api/escalations"],
    };

    /// <summary>The base URLs of a service's instances, as configured.</summary>
    public static IReadOnlyList<string> Instances(IConfiguration configuration, string service)
    {
        var addresses = (configuration[$"Services:{service}"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => a.TrimEnd('/')).ToList();
        return addresses.Count > 0 ? addresses
            : throw new InvalidOperationException($"Services:{service} (the {service} service's URL, or its instances' URLs separated by commas) is not set.");
    }

    public static (IReadOnlyList<RouteConfig>, IReadOnlyList<ClusterConfig>) Build(IConfiguration configuration)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var (service, prefixes) in Prefixes)
        {
            var addresses = Instances(configuration, service);
            clusters.Add(new ClusterConfig
            {
                ClusterId = service,
                Destinations = addresses.Select((a, i) => (a, i)).ToDictionary(d => $"{service}-{d.i + 1}", d => new DestinationConfig
                {
                    Address = d.a,
                    Health = d.a.TrimEnd('/') + ServiceDefaults.ServiceDefaultsExtensions.ReadyPath,
                }),
                LoadBalancingPolicy = "PowerOfTwoChoices",
                HealthCheck = new HealthCheckConfig
                {
                    Active = new ActiveHealthCheckConfig
                    {
                        Enabled = true, Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(2), Policy = "ConsecutiveFailures",
                    },
                    Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = "TransportFailureRate", ReactivationPeriod = TimeSpan.FromSeconds(5) },
                    AvailableDestinationsPolicy = "HealthyOrPanic",
                },
            });
            foreach (string prefix in prefixes)
                routes.Add(new RouteConfig
                {
                    RouteId = $"{service}{prefix.Replace('/', '-')}",
                    ClusterId = service,
                    Match = new RouteMatch { Path = prefix + "/{**rest}" },
                });
            // Each service's OpenAPI document, under one roof.
            routes.Add(new RouteConfig
            {
                RouteId = $"{service}-openapi",
                ClusterId = service,
                Match = new RouteMatch { Path = $"/openapi/{service}.json" },
                Transforms = [new Dictionary<string, string> { ["PathSet"] = OpenApiPath }],
            });
        }
        return (routes, clusters);
    }
}
