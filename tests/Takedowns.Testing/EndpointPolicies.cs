using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Takedowns.Testing;

public static class EndpointPolicies
{
    /// <summary>Routes of a host that neither name an authorisation policy nor say they are open to anyone.</summary>
    public static IReadOnlyList<string> Undeclared(IServiceProvider services)
    {
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        if (endpoints.Count == 0) throw new InvalidOperationException("The host has no endpoints: nothing was checked.");
        return endpoints
            .Where(e => !e.Metadata.OfType<IAuthorizeData>().Any(a => a.Policy is not null || a.Roles is not null)
                        && !e.Metadata.OfType<IAllowAnonymous>().Any())
            .Select(e => e.RoutePattern.RawText ?? e.DisplayName ?? "?")
            .ToList();
    }
}
