using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Faults;

/// <summary>
/// A load of signed webhooks through the gateway, as careful senders send them: each report keeps its webhook-id, and a
/// send that is not acknowledged (no answer, a 5xx, a 429) is sent again until it is. What was acknowledged is recorded.
/// </summary>
public sealed class FaultLoad(RunningSystem system, int reports, int senders)
{
    public ConcurrentDictionary<string, Guid> Acknowledged { get; } = new();

    public int Retries => _retries;

    public Guid OrganisationId { get; private set; }

    public string Country { get; } = "KZ";

    private int _retries;
    private Guid _sourceId;
    private WebhookSigner? _signer;

    public async Task PrepareAsync()
    {
        var admin = system.Client(RunningSystem.AdminKey);
        using var org = await admin.PostAsJsonAsync("/api/admin/organisations", new { name = "Fault suite" });
        org.EnsureSuccessStatusCode();
        OrganisationId = JsonDocument.Parse(await org.Content.ReadAsStringAsync()).RootElement.GetProperty("organisationId").GetGuid();
        using var source = await admin.PostAsJsonAsync($"/api/admin/organisations/{OrganisationId}/webhook-sources", new { name = "Form" });
        source.EnsureSuccessStatusCode();
        var json = JsonDocument.Parse(await source.Content.ReadAsStringAsync()).RootElement;
        _sourceId = json.GetProperty("sourceId").GetGuid();
        _signer = new WebhookSigner(json.GetProperty("secret").GetString()!);
    }

    /// <summary>Sends every report until each is acknowledged; gives up only after <paramref name="deadline"/>.</summary>
    public async Task RunAsync(TimeSpan deadline)
    {
        var work = new ConcurrentQueue<int>(Enumerable.Range(0, reports));
        using var stop = new CancellationTokenSource(deadline);
        using var http = new HttpClient { BaseAddress = system.Gateway, Timeout = TimeSpan.FromSeconds(15) };
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            while (work.TryDequeue(out int n))
            {
                string id = $"msg_fault_{n:D6}";
                // One day per report over the last 40 days, one account per report: each report its own incident.
                string body = SampleReports.Body(country: Country, platform: "telegram", category: "spam",
                    occurredAt: DateTime.UtcNow.AddDays(-(n % 40) - 1).ToString("yyyy-MM-dd"), handle: $"@fault_{n:D6}");
                while (true)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    try
                    {
                        using var response = await http.SendAsync(_signer!.Request($"/webhooks/{_sourceId}", body, id), stop.Token);
                        if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
                        {
                            var reportId = JsonDocument.Parse(await response.Content.ReadAsStringAsync(stop.Token)).RootElement.GetProperty("reportId").GetGuid();
                            if (Acknowledged.TryGetValue(id, out var earlier) && earlier != reportId)
                                throw new InvalidOperationException($"{id} was acknowledged as {earlier} and then as {reportId}");
                            Acknowledged[id] = reportId;
                            break;
                        }
                        if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                            throw new InvalidOperationException($"{id} was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(stop.Token)}");
                    }
                    catch (HttpRequestException) { }
                    catch (TaskCanceledException) when (!stop.IsCancellationRequested) { } // the request's own timeout
                    Interlocked.Increment(ref _retries);
                    await Task.Delay(250, stop.Token);
                }
            }
        })));
    }
}
