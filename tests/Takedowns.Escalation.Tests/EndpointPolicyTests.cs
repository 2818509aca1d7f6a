using Takedowns.Testing;

namespace Takedowns.Escalation.Tests;

public sealed class EndpointPolicyTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    [Fact]
    public void every_endpoint_declares_a_policy_or_is_explicitly_anonymous() =>
        Assert.Empty(EndpointPolicies.Undeclared(host.Services));
}
