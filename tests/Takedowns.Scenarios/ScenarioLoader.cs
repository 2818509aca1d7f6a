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
