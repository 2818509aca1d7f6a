using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Takedowns.Scenarios;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>
/// Through the gateway, as the people who use it would: organisations import a generated history holding a planted
/// complaint campaign, with their reporters' consent to escalate; Correlation detects it, an analyst confirms it, an
/// organisation's escalation staff draft a packet from it, finalise it (the signature checked with an independent JOSE
/// library against the published key), record that it was sent, the platform's answer and an outcome per account, and
/// remedy times then count those accounts.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class EscalationWalkthroughTests(RunningSystem system)
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The campaign found, or what was seen instead (said when the wait times out).</summary>
    private sealed record Found(JsonElement? Detail, string Seen);

    [Fact]
    public async Task a_planted_campaign_is_detected_confirmed_escalated_finalised_sent_and_answered()
    {
        var options = new ScenarioOptions
        {
            Seed = 23, End = new DateOnly(2026, 11, 30), Days = 120, WarmUpDays = 60, Countries = 2, CellsPerCountry = 10,
            Organisations = 4, Spikes = 0, Campaigns = 2, MinCampaignSize = 10, MaxCampaignSize = 20, OrganicBursts = 0,
        };
        var scenario = ScenarioFamilies.Generate(ScenarioFamily.A, options);
        var planted = scenario.Reports.Where(r => r.Campaign is not null).ToList();
        Assert.NotEmpty(planted);
        var plantedIds = planted.Select(r => r.ExternalId).ToHashSet();
        using var admin = system.Client(RunningSystem.AdminKey);
        var loader = new ScenarioLoader(admin, RunningSystem.AdminKey, TextWriter.Null) { EscalationConsent = true };
        var organisations = await loader.LoadAsync(scenario, CancellationToken.None);

        // Correlation finds it: a campaign most of whose reports are the planted ones.
        var found = await Eventually.Until(async () =>
        {
            var page = await JsonAsync(await admin.GetAsync("/api/analysis/campaigns?limit=100"));
            var seen = new List<string>();
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                var detail = await JsonAsync(await admin.GetAsync($"/api/analysis/campaigns/{item.GetProperty("campaignId").GetGuid()}"));
                var external = detail.GetProperty("reports").EnumerateArray().Select(r => r.TryGetProperty("externalId", out var e) ? e.GetString() : null).ToList();
                int overlap = external.Count(e => e is not null && plantedIds.Contains(e));
                if (overlap * 2 > external.Count) return new Found(detail, "");
                seen.Add($"{overlap} of {external.Count} planted");
            }
            return new Found(null, $"{planted.Count} planted reports; campaigns: {string.Join("; ", seen)}");
        }, c => c.Detail is not null, TimeSpan.FromMinutes(3), "the planted campaign to be detected");
        var campaign = found.Detail;
        Guid campaignId = campaign!.Value.GetProperty("campaignId").GetGuid();
        // A civic period over the campaign's days in one of its countries, registered before the confirmation: the
        // packet's coordination evidence must name it.
        string periodName = $"Referendum {Guid.NewGuid():N}";
        using (var period = await admin.PostAsJsonAsync("/api/analysis/civic-periods", new
               {
                   country = campaign.Value.GetProperty("reports")[0].GetProperty("country").GetString(), type = "referendum", name = periodName,
                   start = campaign.Value.GetProperty("firstSeen").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd"),
                   end = campaign.Value.GetProperty("lastSeen").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd"),
               }))
            Assert.True(period.IsSuccessStatusCode, await period.Content.ReadAsStringAsync());
        using (var confirmed = await admin.PostAsJsonAsync($"/api/analysis/campaigns/{campaignId}/confirm", new { note = "Checked the notices." }))
            Assert.True(confirmed.IsSuccessStatusCode, await confirmed.Content.ReadAsStringAsync());

        // An escalation key of an organisation that reported some of it.
        var members = campaign.Value.GetProperty("reports").EnumerateArray().ToList();
        Guid organisationId = members[0].GetProperty("organisationId").GetGuid();
        Assert.Contains(organisationId, organisations.Values);
        var issued = await JsonAsync(await admin.PostAsJsonAsync($"/api/admin/organisations/{organisationId}/api-keys", new { roles = new[] { "escalation" } }));
        using var escalation = system.Client(issued.GetProperty("apiKey").GetString());

        // Once the key, the cases and the confirmed campaign have reached Escalation, the packet is drafted.
        await SubscriptionProgress.WaitUntilCaughtUpAsync(system.Schema("intake"), ["case-forwarder:All", "api-key-forwarder:All"], TimeSpan.FromMinutes(2));
        await Queues.WaitUntilDrainedAsync(system.VirtualHost, TimeSpan.FromMinutes(2));
        string platform = members[0].GetProperty("platform").GetString()!;
        var created = await Eventually.Until(async () =>
        {
            using var response = await escalation.PostAsJsonAsync("/api/escalations", new { platform, campaignId, language = "en", ask = "Restore these accounts and stop processing this claimant's notices (DSA Article 23)." });
            return response.StatusCode == HttpStatusCode.Created ? (JsonElement?)await JsonAsync(response) : null;
        }, c => c is not null, TimeSpan.FromMinutes(1), "the campaign and its cases to reach Escalation");
        Guid packetId = created!.Value.GetProperty("packetId").GetGuid();
        // The campaign may still grow (detection links more reports to it): the packet follows it, so it is compared with
        // the campaign as Correlation has it at each look.
        HashSet<Guid> OnPlatform(JsonElement detail) => detail.GetProperty("reports").EnumerateArray()
            .Where(m => m.GetProperty("platform").GetString() == platform).Select(m => m.GetProperty("reportId").GetGuid()).ToHashSet();
        HashSet<Guid> Accounts(JsonElement packet) => packet.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("reportId").GetGuid()).ToHashSet();
        var (draft, current) = await Eventually.Until(async () => (
                await JsonAsync(await escalation.GetAsync($"/api/escalations/{packetId}")),
                OnPlatform(await JsonAsync(await admin.GetAsync($"/api/analysis/campaigns/{campaignId}")))),
            d => d.Item1.GetProperty("coordination").GetProperty("status").GetString() == "confirmed" && Accounts(d.Item1).SetEquals(d.Item2),
            TimeSpan.FromSeconds(60), "the confirmation and every member's case to reach Escalation");
        Assert.True(Accounts(draft).SetEquals(current));
        Assert.Equal(0, draft.GetProperty("omittedWithoutConsent").GetInt32());
        Assert.NotEmpty(draft.GetProperty("coordination").GetProperty("signals").EnumerateArray());
        // Each signal with the links it is in; those whose value is counted among notices with how common it is.
        var evidence = draft.GetProperty("coordination").GetProperty("signalEvidence").EnumerateArray().ToList();
        Assert.Equal(draft.GetProperty("coordination").GetProperty("signals").EnumerateArray().Select(s => s.GetString()), evidence.Select(e => e.GetProperty("signal").GetString()));
        Assert.All(evidence, e => Assert.InRange(e.GetProperty("links").GetInt32(), 1, e.GetProperty("ofLinks").GetInt32()));
        Assert.Contains(draft.GetProperty("coordination").GetProperty("civicPeriods").EnumerateArray(),
            p => p.GetProperty("name").GetString() == periodName && p.GetProperty("type").GetString() == "referendum");
        int synthetic = organisations.Single(o => o.Value == organisationId).Key;
        Assert.Equal($"Synthetic organisation {synthetic} (seed {options.Seed})", draft.GetProperty("organisationName").GetString());
        string markdown = await (await escalation.GetAsync($"/api/escalations/{packetId}.md")).Content.ReadAsStringAsync();
        Assert.Contains(periodName, markdown); // letters and digits: nothing for Markdown to escape

        // Finalised and signed; checked as a platform would, with jose-jwt and the key published through the gateway.
        var finalised = await JsonAsync(await escalation.PostAsync($"/api/escalations/{packetId}/finalise", null));
        byte[] bytes = await (await escalation.GetAsync($"/api/escalations/{packetId}?version=1")).Content.ReadAsByteArrayAsync();
        Assert.Equal(finalised.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        var key = (await JsonAsync(await system.Client().GetAsync("/api/escalations/keys"))).GetProperty("keys")[0];
        var jwk = new Jose.Jwk(crv: key.GetProperty("crv").GetString(), x: key.GetProperty("x").GetString(), y: key.GetProperty("y").GetString(), d: null);
        string[] jws = finalised.GetProperty("signature").GetString()!.Split('.');
        string payload = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(Encoding.UTF8.GetString(bytes), Jose.JWT.Decode(jws[0] + "." + payload + "." + jws[2], jwk, Jose.JwsAlgorithm.ES256));
        // And with OpenSSL, as README shows a platform (infra/verify-packet); a byte changed fails.
        string directory = Directory.CreateTempSubdirectory("packet-").FullName;
        try
        {
            string packetFile = Path.Combine(directory, "packet.json"), keysFile = Path.Combine(directory, "keys.json"), tampered = Path.Combine(directory, "tampered.json");
            await File.WriteAllBytesAsync(packetFile, bytes);
            await File.WriteAllTextAsync(keysFile, await system.Client().GetStringAsync("/api/escalations/keys"));
            await File.WriteAllBytesAsync(tampered, [.. bytes[..^2], (byte)' ', bytes[^1]]);
            string signature = finalised.GetProperty("signature").GetString()!;
            Assert.StartsWith("valid: ES256", await TestEnvironment.RunInfraAsync("verify-packet", packetFile, signature, keysFile));
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => TestEnvironment.RunInfraAsync("verify-packet", tampered, signature, keysFile));
            Assert.Contains("invalid: the signature does not hold", refused.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        // Sent, answered, an outcome per account.
        string today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        await JsonAsync(await escalation.PostAsJsonAsync($"/api/escalations/{packetId}/sent", new { channel = "trusted partner channel", reference = "case 1", on = today }));
        await JsonAsync(await escalation.PostAsJsonAsync($"/api/escalations/{packetId}/responses", new { text = "Reviewed.", on = today }));
        var accounts = draft.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("reportId").GetGuid()).ToList();
        var answered = await JsonAsync(await escalation.PostAsJsonAsync($"/api/escalations/{packetId}/outcomes",
            new { outcomes = accounts.Select((id, i) => new { reportId = id, outcome = i % 2 == 0 ? "restored" : "upheld", on = today }) }));
        Assert.Equal("answered", answered.GetProperty("lifecycle").GetProperty("status").GetString());
        Assert.Equal(accounts.Count, answered.GetProperty("lifecycle").GetProperty("outcomes").GetArrayLength());

        // The outcomes reach Correlation, which counts them on the campaign.
        int restoredCount = (accounts.Count + 1) / 2;
        await Eventually.Until(async () => (await JsonAsync(await admin.GetAsync($"/api/analysis/campaigns/{campaignId}"))).GetProperty("remedies"),
            r => r.GetProperty("restored").GetInt32() == restoredCount && r.GetProperty("upheld").GetInt32() == accounts.Count - restoredCount,
            TimeSpan.FromMinutes(1), "the outcomes to reach Correlation");

        // Remedy times now count those accounts' restorations.
        var times = await JsonAsync(await escalation.GetAsync($"/api/escalations/remedy-times?platform={platform}"));
        var rows = times.GetProperty("items").EnumerateArray().ToList();
        Assert.True(rows.Sum(r => r.GetProperty("restored").GetInt32()) >= (accounts.Count + 1) / 2, times.GetRawText());

        // As infra/run --demo does (there from the largest campaign; here, among other tests' campaigns, from this one): a
        // packet drafted by the escalation staff of the organisation that reported most of it.
        var demo = await loader.DraftPacketAsync(TimeSpan.FromMinutes(1), CancellationToken.None, only: campaignId);
        Assert.NotNull(demo);
        using var demoClient = system.Client(demo.EscalationKey);
        var demoPacket = await JsonAsync(await demoClient.GetAsync($"/api/escalations/{demo.PacketId}"));
        Assert.Equal(demo.Platform, demoPacket.GetProperty("platform").GetString());
        Assert.Equal(demo.CampaignId, demoPacket.GetProperty("coordination").GetProperty("campaignId").GetGuid());
        Assert.NotEmpty(demoPacket.GetProperty("accounts").EnumerateArray());
    }
}
