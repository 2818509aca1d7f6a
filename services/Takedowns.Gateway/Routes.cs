using Yarp.ReverseProxy.Configuration;

namespace Takedowns.Gateway;

/// <summary>
/// The front door's routing table: which service answers which path. Service addresses come from configuration
/// (<c>Services:intake</c>, ...), so the same table serves one machine or several.
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
    };

    public static (IReadOnlyList<RouteConfig>, IReadOnlyList<ClusterConfig>) Build(IConfiguration configuration)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var (service, prefixes) in Prefixes)
        {
            string address = configuration[$"Services:{service}"]
                             ?? throw new InvalidOperationException($"Services:{service} (the {service} service's URL) is not set.");
            clusters.Add(new ClusterConfig
            {
                ClusterId = service,
                Destinations = new Dictionary<string, DestinationConfig> { [service] = new() { Address = address } },
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
