using System.Net;
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
