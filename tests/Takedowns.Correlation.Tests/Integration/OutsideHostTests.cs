using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Integration;

/// <summary>A running service calls no host outside the deployment: the bus's usage report to its makers is off.</summary>
public sealed class OutsideHostTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    [Fact]
    public void the_bus_sends_no_usage_telemetry()
    {
        var options = host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value;
        Assert.False(options.Enabled);
    }
}
