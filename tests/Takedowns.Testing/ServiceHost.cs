using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Takedowns.Testing;

/// <summary>
/// One service in-process (WebApplicationFactory) on the real PostgreSQL, in a schema of its own, and the real
/// RabbitMQ, in a virtual host of its own; both are removed afterwards.
/// </summary>
public class ServiceHost<TProgram> : IAsyncLifetime where TProgram : class
{
    public const string AdminKey = "test-admin-key-0123456789";

    private WebApplicationFactory<TProgram>? _factory;

    public string Schema { get; } = TestEnvironment.UniqueName("test");
    public string VirtualHost { get; private set; } = "";
    public WebApplicationFactory<TProgram> Factory => _factory ?? throw new InvalidOperationException("Not initialised.");
    public IServiceProvider Services => Factory.Services;

    /// <summary>Everything the host logged, at every level.</summary>
    public LogCapture Logs { get; } = new();

    protected virtual IDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    /// <summary>Services a host for one kind of test adds or replaces (after the service's own).</summary>
    protected virtual void ConfigureServices(IServiceCollection services) { }

    public HttpClient CreateClient(string? bearer = null)
    {
        var client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    public HttpClient CreateAdminClient() => CreateClient(AdminKey);

    /// <summary>What the service has parked (<c>GET /api/admin/parked</c> as the admin): its items.</summary>
    public async Task<List<System.Text.Json.JsonElement>> ParkedAsync()
    {
        using var response = await CreateAdminClient().GetAsync("/api/admin/parked");
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray().ToList();
    }

    /// <summary>Replays one parked item as the admin; its outcome.</summary>
    public async Task<System.Text.Json.JsonElement> ReplayParkedAsync(Guid id)
    {
        using var response = await CreateAdminClient().PostAsync($"/api/admin/parked/{id}/replay", null);
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public virtual async ValueTask InitializeAsync()
    {
        VirtualHost = await Broker.CreateVirtualHostAsync();
        var settings = TestEnvironment.ServiceSettings(Schema, VirtualHost, AdminKey);
        foreach (var (k, v) in ExtraSettings) settings[k] = v;
        _factory = new WebApplicationFactory<TProgram>().WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in settings) b.UseSetting(key, value);
            // Failing tests print the app log: keep it to what matters.
            b.ConfigureLogging(l => l.AddFilter(level => level >= LogLevel.Warning));
            b.ConfigureLogging(l => l.AddProvider(Logs).AddFilter<LogCapture>(_ => true));
            b.ConfigureServices(ConfigureServices);
        });
        _ = _factory.Server; // start now, so a broken host fails the fixture rather than the first test
        await WaitReadyAsync();
    }

    /// <summary>
    /// Until the host answers ready: its database reachable and its bus started with every receive endpoint bound, so
    /// that a message a test publishes has a queue to go to.
    /// </summary>
    private async Task WaitReadyAsync()
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync(ServiceDefaults.ServiceDefaultsExtensions.ReadyPath);
            if (response.IsSuccessStatusCode) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The host was not ready within 60 s: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(200);
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        if (VirtualHost.Length > 0) await Broker.DeleteVirtualHostAsync(VirtualHost);
        await Database.DropSchemaAsync(Schema);
        GC.SuppressFinalize(this);
    }
}
