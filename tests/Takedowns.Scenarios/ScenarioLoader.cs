using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Takedowns.Scenarios;

/// <summary>
/// Feeds a scenario through the real system, as organisations would: one organisation per synthetic organisation, each
/// importing its CSV through the gateway's bulk import, and the civic periods registered through the analysis API.
/// </summary>
public sealed class ScenarioLoader(HttpClient gateway, string adminKey, TextWriter log)
{
    /// <summary>Every report also allows escalation to its platform (see <see cref="ScenarioFiles.Csv"/>).</summary>
    public bool EscalationConsent { get; init; }

    public async Task<IReadOnlyDictionary<int, Guid>> LoadAsync(Scenario scenario, CancellationToken ct)
    {
        foreach (var p in scenario.CivicPeriods)
        {
            using var created = await SendAsync(HttpMethod.Post, "/api/analysis/civic-periods", adminKey, JsonContent.Create(new
            {
                country = p.Country, type = p.Type, name = p.Name, start = p.Start.ToString("yyyy-MM-dd"), end = p.End.ToString("yyyy-MM-dd"),
            }), ct);
        }
        log.WriteLine($"  {scenario.CivicPeriods.Count} civic periods registered");

        var organisations = new Dictionary<int, Guid>();
        var imports = new List<(string Key, Guid ImportId, int Rows)>();
        foreach (var group in scenario.Reports.GroupBy(r => r.Organisation).OrderBy(g => g.Key))
        {
            using var org = await SendAsync(HttpMethod.Post, "/api/admin/organisations", adminKey,
                JsonContent.Create(new { name = $"Synthetic organisation {group.Key} (seed {scenario.Options.Seed})" }), ct);
            var created = await org.Content.ReadFromJsonAsync<JsonElement>(ct);
            organisations[group.Key] = created.GetProperty("organisationId").GetGuid();
            string key = created.GetProperty("apiKey").GetString()!;
            using var import = await SendAsync(HttpMethod.Post, "/api/reports/imports", key,
                new StringContent(ScenarioFiles.Csv(group, EscalationConsent), Encoding.UTF8, "text/csv"), ct);
            imports.Add((key, (await import.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("importId").GetGuid(), group.Count()));
        }
        log.WriteLine($"  {scenario.Reports.Count} reports in {imports.Count} imports");

        foreach (var (key, importId, rows) in imports)
        {
            while (true)
            {
                using var status = await SendAsync(HttpMethod.Get, $"/api/reports/imports/{importId}", key, null, ct);
                var json = await status.Content.ReadFromJsonAsync<JsonElement>(ct);
                string state = json.GetProperty("status").GetString()!;
                if (state == "completed")
                {
                    int rejected = json.GetProperty("rejected").GetInt32();
                    if (rejected > 0) throw new InvalidOperationException($"Import {importId} rejected {rejected} of {rows} rows: {json.GetProperty("errors")}");
                    break;
                }
                if (state == "failed") throw new InvalidOperationException($"Import {importId} failed: {json}");
                await Task.Delay(250, ct);
            }
        }
        log.WriteLine("  imports completed");
        return organisations;
    }

    /// <summary>A packet drafted from a detected campaign by the escalation staff of the organisation that reported most of it.</summary>
    public sealed record DraftedPacket(Guid PacketId, Guid CampaignId, Guid OrganisationId, string Platform, string EscalationKey);

    /// <summary>
    /// Once Correlation has found a campaign (waiting up to <paramref name="wait"/>), drafts a packet from the largest one,
    /// for the platform most of its reports are on, with a new escalation key of the organisation that reported most of
    /// them there. Null when no campaign is found in time. <paramref name="only"/>: that campaign alone (a system holding
    /// other campaigns, whose reporters may not allow escalation).
    /// </summary>
    public async Task<DraftedPacket?> DraftPacketAsync(TimeSpan wait, CancellationToken ct, Guid? only = null)
    {
        var deadline = DateTime.UtcNow + wait;
        Guid? largest = only;
        while (largest is null)
        {
            using var page = await SendAsync(HttpMethod.Get, "/api/analysis/campaigns?limit=100", adminKey, null, ct);
            var items = (await page.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("items").EnumerateArray().ToList();
            if (items.Count > 0) largest = items.MaxBy(i => i.GetProperty("reportCount").GetInt32()).GetProperty("campaignId").GetGuid();
            else if (DateTime.UtcNow > deadline) return null;
            else await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }
        Guid campaignId = largest.Value;
        using var detail = await SendAsync(HttpMethod.Get, $"/api/analysis/campaigns/{campaignId}", adminKey, null, ct);
        var reports = (await detail.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("reports").EnumerateArray().ToList();
        var onPlatform = reports.GroupBy(r => r.GetProperty("platform").GetString()!).MaxBy(g => g.Count())!;
        Guid organisationId = onPlatform.GroupBy(r => r.GetProperty("organisationId").GetGuid()).MaxBy(g => g.Count())!.Key;
        using var issued = await SendAsync(HttpMethod.Post, $"/api/admin/organisations/{organisationId}/api-keys", adminKey,
            JsonContent.Create(new { roles = new[] { "escalation" } }), ct);
        string key = (await issued.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("apiKey").GetString()!;
        // The key and the campaign reach Escalation on the bus a moment later: until then the draft answers 401 or 404.
        deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/escalations")
            {
                Content = JsonContent.Create(new
                {
                    platform = onPlatform.Key, campaignId, language = "en",
                    ask = "Restore these accounts, and review the complaints against them as one coordinated campaign.",
                }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await gateway.SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
            {
                Guid packetId = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("packetId").GetGuid();
                log.WriteLine($"  packet {packetId} drafted from campaign {campaignId} ({onPlatform.Count()} reports on {onPlatform.Key})");
                return new DraftedPacket(packetId, campaignId, organisationId, onPlatform.Key, key);
            }
            if (response.StatusCode is not (System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.NotFound) || DateTime.UtcNow > deadline)
                throw new HttpRequestException($"POST /api/escalations: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, HttpContent? content, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await gateway.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        return response;
    }
}
