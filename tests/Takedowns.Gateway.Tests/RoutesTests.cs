using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Takedowns.Gateway;

namespace Takedowns.Gateway.Tests;

public sealed class RoutesTests
{
    private static readonly IConfiguration Services = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Services:intake"] = "http://127.0.0.1:1",
        ["Services:correlation"] = "http://127.0.0.1:2",
        ["Services:publishing"] = "http://127.0.0.1:3",
        ["Services:escalation"] = "http://127.0.0.1:4",
    }).Build();

    [Theory]
    [InlineData("/api/admin/{**rest}", "intake")]
    [InlineData("/api/reports/{**rest}", "intake")]
    [InlineData("/api/escalations/{**rest}", "escalation")]
    [InlineData("/webhooks/{**rest}", "intake")]
    [InlineData("/api/analysis/{**rest}", "correlation")]
    [InlineData("/api/public/{**rest}", "publishing")]
    public void each_path_prefix_goes_to_the_service_that_owns_it(string path, string cluster)
    {
        var (routes, _) = Routes.Build(Services);
        Assert.Equal(cluster, Assert.Single(routes, r => r.Match.Path == path).ClusterId);
    }

    [Fact]
    public void each_services_openapi_document_is_mapped_onto_its_swagger_path()
    {
        var (routes, clusters) = Routes.Build(Services);
        foreach (var cluster in clusters)
        {
            var route = Assert.Single(routes, r => r.Match.Path == $"/openapi/{cluster.ClusterId}.json");
            Assert.Equal(Routes.OpenApiPath, Assert.Single(route.Transforms!)["PathSet"]);
        }
    }

    [Fact]
    public void a_missing_service_address_stops_the_gateway_with_its_name() =>
        Assert.Contains("Services:publishing", Assert.Throws<InvalidOperationException>(() => Routes.Build(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Services:intake"] = "http://127.0.0.1:1", ["Services:correlation"] = "http://127.0.0.1:2",
            }).Build())).Message);

    [Fact]
    public async Task a_header_value_that_is_not_ascii_is_a_400_naming_it_not_a_502()
    {
        await using var gateway = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (string s in Routes.Prefixes.Keys) b.UseSetting($"Services:{s}", "http://127.0.0.1:9");
        });
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = new StringContent("{}") };
        Assert.True(request.Headers.TryAddWithoutValidation("Idempotency-Key", "ключ-1"));
        using var response = await gateway.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key", await response.Content.ReadAsStringAsync());
        // An ASCII one goes on to the service (down here: 502), as before.
        var plain = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = new StringContent("{}"), Headers = { { "Idempotency-Key", "key-1" } } };
        using var forwarded = await gateway.CreateClient().SendAsync(plain);
        Assert.Equal(HttpStatusCode.BadGateway, forwarded.StatusCode);
    }

    [Fact]
    public async Task the_gateway_serves_its_own_metrics_in_prometheus_text_format()
    {
        await using var gateway = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (string s in Routes.Prefixes.Keys) b.UseSetting($"Services:{s}", "http://127.0.0.1:9");
        });
        var client = gateway.CreateClient();
        using (var live = await client.GetAsync("/health/live")) Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        string text = "";
        for (int i = 0; i < 60 && !text.Contains("http_server_request_duration_seconds"); i++)
        {
            if (i > 0) await Task.Delay(250);
            using var metrics = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            text = await metrics.Content.ReadAsStringAsync();
        }
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text);
    }

    [Fact]
    public async Task the_gateway_is_not_ready_while_a_service_behind_it_is_down()
    {
        await using var gateway = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            // Port 9 (discard) is closed on loopback: nothing answers there.
            foreach (string s in Routes.Prefixes.Keys) b.UseSetting($"Services:{s}", "http://127.0.0.1:9");
        });
        using var live = await gateway.CreateClient().GetAsync("/health/live");
        using var ready = await gateway.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }
}
