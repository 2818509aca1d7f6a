using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>
/// With an OTLP endpoint configured, one report's trace runs from the webhook through the gateway and Intake, across the
/// outbox and the bus, to Correlation and to Publishing, where it is counted. The endpoint is a listener of the test's
/// own that keeps what each service exports (OTLP over HTTP, protobuf): the trace's id is looked for in each service's.
/// </summary>
public sealed class TracingTests : IAsyncLifetime
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<byte[]> _exports = new();
    private readonly int _port = RunningSystem.FreePort();
    private RunningSystem? _system;
    private Task? _listening;

    public async ValueTask InitializeAsync()
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _listening = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using (var body = new MemoryStream())
                {
                    await context.Request.InputStream.CopyToAsync(body);
                    if (context.Request.Url?.AbsolutePath == "/v1/traces") _exports.Enqueue(body.ToArray());
                }
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        });
        var otlp = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{_port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
        };
        _system = new RunningSystem
        {
            Settings = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["gateway"] = otlp, ["intake"] = otlp, ["correlation"] = otlp, ["publishing"] = otlp,
            },
        };
        await _system.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_system is not null) await _system.DisposeAsync();
        _listener.Stop();
        _listener.Close();
        if (_listening is not null) await _listening;
    }

    /// <summary>The services whose exported spans carry the trace id <paramref name="traceId"/> (each export is one service's: its name is in it).</summary>
    private HashSet<string> ServicesWith(byte[] traceId) =>
        _exports.Where(body => body.AsSpan().IndexOf(traceId) >= 0)
            .SelectMany(body => new[] { "gateway", "intake", "correlation", "publishing" }
                .Where(s => body.AsSpan().IndexOf(Encoding.ASCII.GetBytes($"takedowns-{s}")) >= 0))
            .ToHashSet();

    [Fact]
    public async Task one_reports_trace_runs_from_the_webhook_to_where_it_is_counted()
    {
        var steps = new Steps(_system!);
        var org = await steps.RegisterOrganisationAsync("Traced organisation");
        var source = await steps.AddSourceAsync(org.OrganisationId);

        byte[] traceId = RandomNumberGenerator.GetBytes(16);
        var request = new WebhookSigner(source.Secret).Request($"/webhooks/{source.SourceId}", SampleReports.Body(country: "LS"));
        request.Headers.Add("traceparent", $"00-{Convert.ToHexStringLower(traceId)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01");
        using (var response = await _system!.Client().SendAsync(request)) Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var services = await Eventually.Until(() => Task.FromResult(ServicesWith(traceId)), s => s.Count == 4, TimeSpan.FromSeconds(60),
            "the report's trace in every service's spans");
        Assert.Equal(["correlation", "gateway", "intake", "publishing"], services.Order());
    }
}
