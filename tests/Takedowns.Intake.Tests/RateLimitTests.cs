using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests;

/// <summary>Intake with a tiny budget: three requests at once, then one per second.</summary>
public sealed class TightlyLimitedIntake : IntakeHost
{
    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["RateLimits:PermitsPerSecond"] = "1",
        ["RateLimits:Burst"] = "3",
    };
}

public sealed class RateLimitTests(TightlyLimitedIntake host) : IClassFixture<TightlyLimitedIntake>
{
    [Fact]
    public async Task each_key_and_each_webhook_source_has_its_own_budget_and_is_told_when_to_retry()
    {
        var org = await host.RegisterOrganisationAsync();
        var source = await host.AddSourceAsync(org.OrganisationId);
        var other = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (int i = 0; i < 6; i++)
        {
            var response = await client.GetAsync($"/api/reports/{Guid.NewGuid()}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused ??= response;
        }
        Assert.Contains(HttpStatusCode.NotFound, statuses);
        Assert.NotNull(refused);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        using (var otherKey = await host.CreateClient(other.ApiKey).GetAsync($"/api/reports/{Guid.NewGuid()}"))
            Assert.Equal(HttpStatusCode.NotFound, otherKey.StatusCode);

        var signer = new WebhookSigner(source.Secret);
        var hooks = new List<HttpStatusCode>();
        for (int i = 0; i < 6; i++)
        {
            using var response = await host.CreateClient().SendAsync(signer.Request($"/webhooks/{source.SourceId}", SampleReports.Body()));
            hooks.Add(response.StatusCode);
        }
        Assert.Contains(HttpStatusCode.Accepted, hooks);
        Assert.Contains(HttpStatusCode.TooManyRequests, hooks);
        Assert.DoesNotContain(HttpStatusCode.ServiceUnavailable, hooks);
    }
}

/// <summary>Intake with a tiny budget whose requests arrive from loopback, as the gateway's and any local process's do.</summary>
public sealed class LoopbackIntake : IntakeHost
{
    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["RateLimits:PermitsPerSecond"] = "1",
        ["RateLimits:Burst"] = "3",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IStartupFilter, FromLoopback>();

    private sealed class FromLoopback : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, then) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return then(context);
            });
            next(app);
        };
    }
}

public sealed class ForwardedAddressTests(LoopbackIntake host) : IClassFixture<LoopbackIntake>
{
    private async Task<HttpStatusCode[]> AnonymousAsync(bool withProof)
    {
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 6; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/reports");
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i + (withProof ? 100 : 0)}");
            if (withProof) request.Headers.Add(GatewayProof.Header, GatewayProof.Of(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["TAKEDOWNS_SECRETS_KEY"] = TestEnvironment.SecretsKey }).Build()));
            using var response = await host.CreateClient().SendAsync(request);
            statuses.Add(response.StatusCode);
        }
        return [.. statuses];
    }

    [Fact]
    public async Task a_forwarded_address_is_taken_from_the_gateway_only()
    {
        // Six addresses claimed by a local process: one budget, the loopback's; the fourth request is refused.
        var claimed = await AnonymousAsync(withProof: false);
        Assert.Contains(HttpStatusCode.TooManyRequests, claimed);
        // The same from the gateway: six clients, six budgets.
        var forwarded = await AnonymousAsync(withProof: true);
        Assert.All(forwarded, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
    }
}
