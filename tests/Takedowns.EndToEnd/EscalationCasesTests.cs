using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>
/// Intake forwards to Escalation the case facts of the reports whose reporter allows escalation to the platform, and
/// only those: an appeal reaches the case, a retraction takes it away (a finalised packet holding it keeps it and says so
/// in its history), and a report without that consent never arrives.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class EscalationCasesTests(RunningSystem system)
{
    private readonly Steps _steps = new(system);

    private static string Body(string handle, bool platform) => JsonSerializer.Serialize(new
    {
        platform = "youtube",
        account = new { handle, url = $"https://youtube.com/{handle}" },
        subjectType = "journalist",
        country = "KZ",
        language = "ru",
        audienceSize = 120000,
        action = "account_suspended",
        ground = new { category = "intellectual_property", claimant = "Example Rights Agency", noticeText = "A copyright complaint.", complaintsCount = 14 },
        occurredAt = "2026-11-20",
        consent = new { network = true, platform, publicStatistics = true },
    });

    private Task<JsonElement?> CaseAsync(Guid reportId) => Eventually.Until(async () =>
    {
        var rows = await Database.ColumnAsync($"select data::text from \"{system.Schema("escalation")}\".mt_doc_casefile where id = '{reportId}'");
        return rows.Count == 0 ? (JsonElement?)null : JsonDocument.Parse(rows[0]).RootElement.Clone();
    }, c => c is not null, TimeSpan.FromSeconds(60), "the case to reach Escalation");

    [Fact]
    public async Task only_reports_that_may_go_to_the_platform_reach_escalation_and_a_retraction_takes_them_away()
    {
        var org = await _steps.RegisterOrganisationAsync("Case organisation");
        Guid allowed = await _steps.SubmitAsync(org, Body("@allowed_channel", platform: true));
        Guid refused = await _steps.SubmitAsync(org, Body("@private_channel", platform: false));

        var facts = (await CaseAsync(allowed))!.Value.GetProperty("facts");
        // The organisation's name reaches Escalation too, for the packets to name it.
        Assert.Equal(["Case organisation"], await Database.ColumnAsync(
            $"select data->>'name' from \"{system.Schema("escalation")}\".mt_doc_organisationname where id = '{org.OrganisationId}'"));
        Assert.Equal("@allowed_channel", facts.GetProperty("account").GetProperty("handle").GetString());
        Assert.Equal(14, facts.GetProperty("ground").GetProperty("complaintsCount").GetInt32());
        Assert.True(facts.GetProperty("sharedWithNetwork").GetBoolean());
        // The action and ground in the DSA's words, as Intake derives them.
        Assert.Equal("DECISION_ACCOUNT_SUSPENDED", facts.GetProperty("dsa").GetProperty("decisionAccount").GetString());
        Assert.Equal("STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", facts.GetProperty("dsa").GetProperty("category").GetString());

        // An appeal reaches the case.
        using (var appeal = await system.Client(org.ApiKey).PostAsJsonAsync($"/api/reports/{allowed}/appeal", new { filedOn = "2026-11-21" }))
            Assert.Equal(HttpStatusCode.OK, appeal.StatusCode);
        await Eventually.Until(() => CaseAsync(allowed), c => c!.Value.GetProperty("facts").TryGetProperty("appeal", out var a)
            && a.GetProperty("filedOn").GetString() == "2026-11-21", TimeSpan.FromSeconds(60), "the appeal to reach the case");

        // Once everything Intake stored has been forwarded, the report without consent is not there.
        await SubscriptionProgress.WaitUntilCaughtUpAsync(system.Schema("intake"), ["case-forwarder:All"], TimeSpan.FromMinutes(1));
        await Queues.WaitUntilDrainedAsync(system.VirtualHost);
        Assert.Equal(0, await Database.ScalarAsync($"select count(*) from \"{system.Schema("escalation")}\".mt_doc_casefile where id = '{refused}'"));
        Assert.Equal(0, await Database.ScalarAsync($"select count(*) from \"{system.Schema("escalation")}\".mt_doc_forgotten where id = '{refused}'"));

        // A packet holding it is finalised before the retraction.
        var issued = JsonDocument.Parse(await (await system.Client(RunningSystem.AdminKey).PostAsJsonAsync(
            $"/api/admin/organisations/{org.OrganisationId}/api-keys", new { roles = new[] { "escalation" } })).Content.ReadAsStringAsync()).RootElement;
        using var escalation = system.Client(issued.GetProperty("apiKey").GetString());
        var packetId = await Eventually.Until(async () =>
        {
            using var response = await escalation.PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds = new[] { allowed } });
            return response.StatusCode == HttpStatusCode.Created
                ? (Guid?)JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("packetId").GetGuid() : null;
        }, id => id is not null, TimeSpan.FromSeconds(60), "the escalation key to reach Escalation");
        using (var finalised = await escalation.PostAsync($"/api/escalations/{packetId}/finalise", null))
            Assert.Equal(HttpStatusCode.OK, finalised.StatusCode);

        // A retraction takes the case away: no facts are kept of it.
        using (var retraction = await system.Client(org.ApiKey).PostAsJsonAsync($"/api/reports/{allowed}/retraction", new { reason = "posted in error" }))
            Assert.Equal(HttpStatusCode.OK, retraction.StatusCode);
        await Eventually.Until(() => Database.ScalarAsync($"select count(*) from \"{system.Schema("escalation")}\".mt_doc_casefile where id = '{allowed}'"),
            n => n == 0, TimeSpan.FromSeconds(60), "the retracted case to leave Escalation");
        Assert.Equal(1, await Database.ScalarAsync($"select count(*) from \"{system.Schema("escalation")}\".mt_doc_forgotten where id = '{allowed}'"));

        // The finalised version keeps it (it is signed) and the packet's history says it was withdrawn; the next version
        // would hold nothing, so it cannot be finalised.
        var view = JsonDocument.Parse(await escalation.GetStringAsync($"/api/escalations/{packetId}")).RootElement;
        Assert.Equal(allowed, Assert.Single(view.GetProperty("lifecycle").GetProperty("withdrawn").EnumerateArray()).GetProperty("reportId").GetGuid());
        Assert.Contains("@allowed_channel", await escalation.GetStringAsync($"/api/escalations/{packetId}?version=1"));
        // That version may not be sent any more.
        using (var sent = await escalation.PostAsJsonAsync($"/api/escalations/{packetId}/sent", new { channel = "partner e-mail", on = "2026-11-25" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, sent.StatusCode);
            Assert.Contains("amend the packet", await sent.Content.ReadAsStringAsync());
        }
        using (var amended = await escalation.PatchAsync($"/api/escalations/{packetId}",
                   new StringContent("{\"ask\":\"Restore the channel.\"}", System.Text.Encoding.UTF8, "application/merge-patch+json")))
            Assert.Equal(HttpStatusCode.OK, amended.StatusCode);
        Assert.DoesNotContain("@allowed_channel", await escalation.GetStringAsync($"/api/escalations/{packetId}?version=2"));
        using (var empty = await escalation.PostAsync($"/api/escalations/{packetId}/finalise", null))
            Assert.Equal(HttpStatusCode.Conflict, empty.StatusCode);
    }

    [Fact]
    public async Task the_signing_key_is_published_through_the_gateway_without_a_key()
    {
        using var response = await system.Client().GetAsync("/api/escalations/keys");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var jwks = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("P-256", jwks.RootElement.GetProperty("keys")[0].GetProperty("crv").GetString());
    }
}
