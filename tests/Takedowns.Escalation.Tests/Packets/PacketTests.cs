using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Escalation;
using Takedowns.Escalation.Campaigns;
using Takedowns.Escalation.Cases;
using Takedowns.Escalation.Signing;
using Takedowns.ServiceDefaults;
using Takedowns.Testing;

namespace Takedowns.Escalation.Tests.Packets;

/// <summary>Packets drafted, read and finalised over HTTP, on the real PostgreSQL, with cases and keys as Escalation keeps them.</summary>
public sealed class PacketTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private IDocumentStore Store => host.Services.GetRequiredService<IDocumentStore>();

    private async Task<(Guid Organisation, HttpClient Client)> OrganisationAsync(params string[] roles)
    {
        Guid organisation = Guid.NewGuid(), keyId = Guid.NewGuid();
        string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        await using var session = Store.LightweightSession();
        session.Store(new OrganisationKey(keyId, organisation, ApiKeyToken.HashSecret(secret), roles, null, null));
        await session.SaveChangesAsync();
        return (organisation, host.CreateClient(ApiKeyToken.Format(keyId, secret)));
    }

    private static CaseFacts Facts(string handle, Platform platform = Platform.YouTube, bool shared = false, CaseAppeal? appeal = null) => new(
        platform, new CaseAccount(handle, $"https://example.org/{handle}", null), SubjectType.Journalist, "KZ", "ru", 50_000,
        TakedownAction.AccountSuspended, new CaseGround(GroundCategory.IntellectualProperty, "Copyright", "A complaint.", "Example Rights Agency", 12, true),
        new DateOnly(2026, 11, 20), null, null, new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero), [], appeal, null, shared,
        new CaseDsa(null, "DECISION_ACCOUNT_SUSPENDED", null, null, "DECISION_GROUND_ILLEGAL_CONTENT", "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
            ["KEYWORD_COPYRIGHT_INFRINGEMENT"], "SOURCE_ARTICLE_16", null, null));

    private async Task<Guid> CaseAsync(Guid organisation, CaseFacts facts)
    {
        var id = Guid.NewGuid();
        await using var session = Store.LightweightSession();
        session.Store(new CaseFile(id, organisation, 1, facts));
        await session.SaveChangesAsync();
        return id;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task a_packet_drafted_from_reports_is_finalised_signed_and_served_unchanged_for_ever()
    {
        var (org, client) = await OrganisationAsync(Roles.Escalation);
        Guid first = await CaseAsync(org, Facts("@first", appeal: new CaseAppeal(new DateOnly(2026, 11, 22), null, null)));
        Guid second = await CaseAsync(org, Facts("@second"));

        using var drafted = await client.PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds = new[] { first, second }, language = "ru", ask = "Restore both channels." });
        Assert.Equal(HttpStatusCode.Created, drafted.StatusCode);
        var created = await JsonAsync(drafted);
        Guid packetId = created.GetProperty("packetId").GetGuid();
        Assert.Equal(1, created.GetProperty("version").GetInt32());

        var draft = await JsonAsync(await client.GetAsync($"/api/escalations/{packetId}"));
        await PacketSchema.AssertValidAsync(host.CreateClient(), draft.GetRawText());
        Assert.Equal("draft", draft.GetProperty("status").GetString());
        Assert.Equal("/api/escalations/schema/v1.json", draft.GetProperty("$schema").GetString());
        Assert.Equal(0, draft.GetProperty("omittedWithoutConsent").GetInt32());
        var accounts = draft.GetProperty("accounts").EnumerateArray().ToList();
        Assert.Equal(["@first", "@second"], accounts.Select(a => a.GetProperty("handle").GetString()).Order());
        Assert.Equal("pending", accounts.Single(a => a.GetProperty("handle").GetString() == "@first").GetProperty("appealStatus").GetString());
        // A copyright takedown: the counter-notification, named in the packet's language, its elements left to the holder.
        var remedy = accounts[0].GetProperty("remedy");
        Assert.Equal("copyright_counter_notice", remedy.GetProperty("route").GetString());
        Assert.Equal("Встречное уведомление об авторском праве", remedy.GetProperty("name").GetString());
        Assert.True(remedy.GetProperty("proposed").GetBoolean());
        Assert.Equal("DECISION_ACCOUNT_SUSPENDED", accounts[0].GetProperty("dsa").GetProperty("decisionAccount").GetString());
        Assert.Contains(draft.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("what").GetString() == "appeal_filed");

        using var finalising = await client.PostAsync($"/api/escalations/{packetId}/finalise", null);
        var finalised = await JsonAsync(finalising);
        string sha256 = finalised.GetProperty("sha256").GetString()!, signature = finalised.GetProperty("signature").GetString()!;

        // The bytes served for the version are those hashed and signed, and stay so.
        using var versioned = await client.GetAsync($"/api/escalations/{packetId}?version=1");
        byte[] bytes = await versioned.Content.ReadAsByteArrayAsync();
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        await PacketSchema.AssertValidAsync(host.CreateClient(), Encoding.UTF8.GetString(bytes));
        Assert.Equal("finalised", JsonDocument.Parse(bytes).RootElement.GetProperty("status").GetString());
        Assert.True(host.Services.GetRequiredService<PacketSigner>().Verify(signature, bytes));
        var jwks = await JsonAsync(await host.CreateClient().GetAsync("/api/escalations/keys"));
        var key = jwks.GetProperty("keys")[0];
        var publicKey = new Jose.Jwk(crv: key.GetProperty("crv").GetString(), x: key.GetProperty("x").GetString(), y: key.GetProperty("y").GetString(), d: null);
        string[] parts = signature.Split('.');
        string attached = parts[0] + "." + PacketSigner.Base64Url(bytes) + "." + parts[2];
        Assert.Equal(Encoding.UTF8.GetString(bytes), Jose.JWT.Decode(attached, publicKey, Jose.JwsAlgorithm.ES256));

        // A case retracted after finalising leaves the frozen version as it was.
        await using (var session = Store.LightweightSession())
        {
            session.Delete<CaseFile>(second);
            await session.SaveChangesAsync();
        }
        using var again = await client.GetAsync($"/api/escalations/{packetId}?version=1");
        Assert.Equal(bytes, await again.Content.ReadAsByteArrayAsync());
        // Finalising again answers the same.
        var repeated = await JsonAsync(await client.PostAsync($"/api/escalations/{packetId}/finalise", null));
        Assert.Equal(sha256, repeated.GetProperty("sha256").GetString());
        Assert.Equal(signature, repeated.GetProperty("signature").GetString());
    }

    [Fact]
    public async Task a_report_retracted_or_whose_consent_is_withdrawn_leaves_a_draft_which_says_how_many_left_never_which()
    {
        var (org, client) = await OrganisationAsync(Roles.Escalation);
        Guid stays = await CaseAsync(org, Facts("@stays")), leaves = await CaseAsync(org, Facts("@leaves"));
        var created = await JsonAsync(await client.PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds = new[] { stays, leaves } }));
        Guid packetId = created.GetProperty("packetId").GetGuid();
        await using (var session = Store.LightweightSession())
        {
            session.Delete<CaseFile>(leaves);
            await session.SaveChangesAsync();
        }
        var draft = await JsonAsync(await client.GetAsync($"/api/escalations/{packetId}"));
        Assert.Equal(["@stays"], draft.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("handle").GetString()));
        Assert.Equal(1, draft.GetProperty("omittedWithoutConsent").GetInt32());
        Assert.DoesNotContain(leaves.ToString(), draft.GetRawText());
    }

    [Fact]
    public async Task a_campaign_packet_holds_the_members_that_may_be_escalated_and_counts_the_others()
    {
        var (org, client) = await OrganisationAsync(Roles.Escalation);
        var (other, _) = await OrganisationAsync(Roles.Reporter);
        Guid own = await CaseAsync(org, Facts("@own"));
        Guid sharedByOther = await CaseAsync(other, Facts("@shared", shared: true));
        Guid privateToOther = await CaseAsync(other, Facts("@private"));
        Guid onAnotherPlatform = await CaseAsync(org, Facts("@vk", Platform.VK));
        Guid withoutConsent = Guid.NewGuid(); // Escalation never heard of it: its reporter does not allow escalation
        var campaignId = Guid.NewGuid();
        await using (var session = Store.LightweightSession())
        {
            session.Store(new CampaignFile(campaignId, "confirmed", [own, sharedByOther, privateToOther, onAnotherPlatform, withoutConsent], 1e-6,
                ["the same claimant", "notices alike"], ["KZ"], [Platform.YouTube, Platform.VK], null, null, 3));
            await session.SaveChangesAsync();
        }
        var created = await JsonAsync(await client.PostAsJsonAsync("/api/escalations", new { platform = "youtube", campaignId }));
        var draft = await JsonAsync(await client.GetAsync($"/api/escalations/{created.GetProperty("packetId").GetGuid()}"));
        Assert.Equal(["@own", "@shared"], draft.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("handle").GetString()!).Order());
        Assert.Equal(2, draft.GetProperty("omittedWithoutConsent").GetInt32()); // the other's private report, and the one without consent
        await PacketSchema.AssertValidAsync(host.CreateClient(), draft.GetRawText());
        var coordination = draft.GetProperty("coordination");
        Assert.Equal(5, coordination.GetProperty("members").GetInt32());
        Assert.Equal(1e-6, coordination.GetProperty("pValue").GetDouble());
        Assert.Contains("the same claimant", coordination.GetProperty("signals").EnumerateArray().Select(s => s.GetString()));
        Assert.DoesNotContain(privateToOther.ToString(), draft.GetRawText());
        Assert.DoesNotContain(withoutConsent.ToString(), draft.GetRawText());

        // An organisation with nothing in the packet does not see it; it may escalate the campaign itself only with the
        // reports shared with the network.
        var (outsider, outsiderClient) = await OrganisationAsync(Roles.Escalation);
        Assert.NotEqual(org, outsider);
        using var foreign = await outsiderClient.GetAsync($"/api/escalations/{created.GetProperty("packetId").GetGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        var outsiders = await JsonAsync(await outsiderClient.PostAsJsonAsync("/api/escalations", new { platform = "youtube", campaignId }));
        var theirs = await JsonAsync(await outsiderClient.GetAsync($"/api/escalations/{outsiders.GetProperty("packetId").GetGuid()}"));
        Assert.Equal(["@shared"], theirs.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("handle").GetString()!));
        // Left out: the first organisation's two reports (not shared with the network), the private one, the one without consent.
        Assert.Equal(4, theirs.GetProperty("omittedWithoutConsent").GetInt32());
        // The organisation whose shared report it holds sees that packet too (every account in it is shared), but does not
        // change it; it does not see the first packet, which holds the drafter's own private report.
        var otherClient = await OrganisationKeyClientAsync(other);
        using var sharer = await otherClient.GetAsync($"/api/escalations/{outsiders.GetProperty("packetId").GetGuid()}");
        Assert.Equal(HttpStatusCode.OK, sharer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(otherClient.PatchAsync($"/api/escalations/{outsiders.GetProperty("packetId").GetGuid()}",
            new StringContent("{\"ask\":\"Mine now.\"}", Encoding.UTF8, "application/merge-patch+json"))));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAsync(otherClient.PostAsync($"/api/escalations/{outsiders.GetProperty("packetId").GetGuid()}/finalise", null)));
        Guid firstPacket = created.GetProperty("packetId").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(otherClient.GetAsync($"/api/escalations/{firstPacket}")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(otherClient.GetAsync($"/api/escalations/{firstPacket}.pdf")));
        Assert.DoesNotContain(firstPacket, (await JsonAsync(await otherClient.GetAsync("/api/escalations"))).GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("packetId").GetGuid()));

        // A shared report of a third organisation joins the campaign after the draft: the draft holds it at once, and
        // once a version holding it is finalised, that organisation sees the packet too.
        var (late, _) = await OrganisationAsync(Roles.Reporter);
        Guid lateShared = await CaseAsync(late, Facts("@late", shared: true));
        var referendum = new Contracts.Analysis.CivicPeriodRef(Guid.NewGuid(), "KZ", Contracts.Analysis.CivicPeriodType.Referendum, "Constitutional referendum",
            new DateOnly(2026, 11, 15), new DateOnly(2026, 11, 30));
        await using (var session = Store.LightweightSession())
        {
            session.Store(new CampaignFile(campaignId, "confirmed", [own, sharedByOther, privateToOther, onAnotherPlatform, withoutConsent, lateShared], 1e-6,
                ["the same claimant", "notices alike"], ["KZ"], [Platform.YouTube, Platform.VK], null, null, 4, CivicPeriods: [referendum],
                SignalEvidence: [new("the same claimant", 9, 10, 0.004), new("notices alike", 7, 10, null)]));
            session.Store(new OrganisationName(outsider, "Media Defence Network"));
            await session.SaveChangesAsync();
        }
        Guid outsidersPacket = outsiders.GetProperty("packetId").GetGuid();
        var lateClient = await OrganisationKeyClientAsync(late);
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(lateClient.GetAsync($"/api/escalations/{outsidersPacket}")));
        var grown = await JsonAsync(await outsiderClient.GetAsync($"/api/escalations/{outsidersPacket}"));
        Assert.Equal(["@late", "@shared"], grown.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("handle").GetString()!).Order());
        Assert.Equal("Media Defence Network", grown.GetProperty("organisationName").GetString());
        var period = Assert.Single(grown.GetProperty("coordination").GetProperty("civicPeriods").EnumerateArray());
        Assert.Equal(("referendum", "Constitutional referendum", "2026-11-15"),
            (period.GetProperty("type").GetString(), period.GetProperty("name").GetString(), period.GetProperty("start").GetString()));
        await PacketSchema.AssertValidAsync(host.CreateClient(), grown.GetRawText());
        var claimant = grown.GetProperty("coordination").GetProperty("signalEvidence")[0];
        Assert.Equal(("the same claimant", 9, 10, 0.004), (claimant.GetProperty("signal").GetString(), claimant.GetProperty("links").GetInt32(),
            claimant.GetProperty("ofLinks").GetInt32(), claimant.GetProperty("share").GetDouble()));
        string grownText = await outsiderClient.GetStringAsync($"/api/escalations/{outsidersPacket}.html");
        Assert.Contains("the same claimant (in 9 of 10 links between the reports; about 1 in 250 notices on the platform)", grownText);
        Assert.Contains("notices alike (in 7 of 10 links between the reports)", grownText);
        var named = Assert.Single(grown.GetProperty("coordination").GetProperty("claimants").EnumerateArray());
        Assert.Equal(("Example Rights Agency", 2), (named.GetProperty("name").GetString(), named.GetProperty("accounts").GetInt32()));
        Assert.Contains("Example Rights Agency (2 accounts)", grownText);
        await JsonAsync(await outsiderClient.PostAsync($"/api/escalations/{outsidersPacket}/finalise", null));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(lateClient.GetAsync($"/api/escalations/{outsidersPacket}")));
        Assert.Contains(outsidersPacket, (await JsonAsync(await lateClient.GetAsync("/api/escalations"))).GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("packetId").GetGuid()));
        Assert.Contains("Media Defence Network", await lateClient.GetStringAsync($"/api/escalations/{outsidersPacket}.md?version=1"));

        // A campaign none of whose reports the caller may use is not the caller's: 404.
        var privateCampaign = Guid.NewGuid();
        await using (var session = Store.LightweightSession())
        {
            session.Store(new CampaignFile(privateCampaign, "suspected", [privateToOther], 1e-4, ["notices alike"], ["KZ"], [Platform.YouTube], null, null, 1));
            await session.SaveChangesAsync();
        }
        using var foreignCampaign = await outsiderClient.PostAsJsonAsync("/api/escalations", new { platform = "youtube", campaignId = privateCampaign });
        Assert.Equal(HttpStatusCode.NotFound, foreignCampaign.StatusCode);
    }

    [Fact]
    public async Task a_campaign_grows_with_the_reports_detection_links_to_it_and_an_older_membership_never_overwrites_a_newer()
    {
        var bus = host.Services.GetRequiredService<MassTransit.IBus>();
        Guid campaignId = Guid.NewGuid();
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        var day = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        await Delivery.UntilDeliveredAsync(bus, new Contracts.Analysis.CampaignSuspected(campaignId, ids[..2], 9, 1e-5, ["same claimant"], ["KZ"], [Platform.YouTube],
            day, day.AddDays(1), day.AddDays(1)));
        await Delivery.UntilDeliveredAsync(bus, new Contracts.Analysis.CampaignReportsLinked(campaignId, ids, ["KG", "KZ"], [Platform.YouTube], day, day.AddDays(3),
            day.AddDays(4), 5));
        async Task<CampaignFile?> FileAsync()
        {
            await using var session = Store.QuerySession();
            return await session.LoadAsync<CampaignFile>(campaignId);
        }
        await Eventually.Until(FileAsync, f => f?.Revision == 5, what: "the campaign's growth");
        await Delivery.UntilDeliveredAsync(bus, new Contracts.Analysis.CampaignReportsLinked(campaignId, ids[..3], ["KZ"], [Platform.YouTube], day, day.AddDays(2),
            day.AddDays(3), 4));
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);
        var file = await FileAsync();
        Assert.Equal(ids, file!.ReportIds);
        Assert.Equal(("suspected", 5L, 1e-5), (file.Status, file.Revision, file.PValue));
        Assert.Equal(["KG", "KZ"], file.Countries);
    }

    /// <summary>An escalation key of an organisation that already exists.</summary>
    private async Task<HttpClient> OrganisationKeyClientAsync(Guid organisation)
    {
        Guid keyId = Guid.NewGuid();
        string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        await using var session = Store.LightweightSession();
        session.Store(new OrganisationKey(keyId, organisation, ApiKeyToken.HashSecret(secret), [Roles.Escalation], null, null));
        await session.SaveChangesAsync();
        return host.CreateClient(ApiKeyToken.Format(keyId, secret));
    }

    [Fact]
    public async Task bad_drafts_are_refused_naming_the_field_and_store_nothing()
    {
        var (org, client) = await OrganisationAsync(Roles.Escalation);
        var (other, _) = await OrganisationAsync(Roles.Reporter);
        Guid own = await CaseAsync(org, Facts("@own"));
        Guid vk = await CaseAsync(org, Facts("@vk", Platform.VK));
        Guid foreign = await CaseAsync(other, Facts("@foreign"));
        long before = await PacketCountAsync();

        async Task<JsonElement> ProblemAsync(object body, HttpStatusCode expected)
        {
            using var response = await client.PostAsJsonAsync("/api/escalations", body);
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        var neither = await ProblemAsync(new { platform = "youtube" }, HttpStatusCode.BadRequest);
        Assert.True(neither.GetProperty("errors").TryGetProperty("campaignId", out _));
        Assert.True(neither.GetProperty("errors").TryGetProperty("reportIds", out _));
        Assert.True((await ProblemAsync(new { reportIds = new[] { own } }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("platform", out _));
        Assert.True((await ProblemAsync(new { platform = "myspace", reportIds = new[] { own } }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("platform", out _));
        Assert.True((await ProblemAsync(new { platform = "youtube", reportIds = new[] { own }, language = "fr" }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("language", out _));
        Assert.True((await ProblemAsync(new { platform = "youtube", reportIds = new[] { own, vk } }, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("reportIds", out _));
        await ProblemAsync(new { platform = "youtube", reportIds = new[] { foreign } }, HttpStatusCode.NotFound);
        await ProblemAsync(new { platform = "youtube", reportIds = new[] { Guid.NewGuid() } }, HttpStatusCode.NotFound);
        await ProblemAsync(new { platform = "youtube", campaignId = Guid.NewGuid() }, HttpStatusCode.NotFound);
        Assert.Equal(before, await PacketCountAsync());

        using var notAPacket = await client.GetAsync($"/api/escalations/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, notAPacket.StatusCode);
        using var badVersion = await client.GetAsync($"/api/escalations/{Guid.NewGuid()}?version=zero");
        Assert.Equal(HttpStatusCode.BadRequest, badVersion.StatusCode);
    }

    [Fact]
    public async Task only_the_escalation_role_and_the_admin_draft_packets()
    {
        var (org, reporter) = await OrganisationAsync(Roles.Reporter, Roles.Analyst);
        Guid own = await CaseAsync(org, Facts("@own"));
        using var refused = await reporter.PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds = new[] { own } });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var anonymous = await host.CreateClient().PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds = new[] { own } });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var admin = await host.CreateAdminClient().PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds = new[] { own } });
        Assert.Equal(HttpStatusCode.Created, admin.StatusCode);
    }

    [Fact]
    public async Task the_schema_refuses_a_packet_that_breaks_it()
    {
        var (org, client) = await OrganisationAsync(Roles.Escalation);
        Guid own = await CaseAsync(org, Facts("@own"));
        var created = await JsonAsync(await client.PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds = new[] { own } }));
        var draft = System.Text.Json.Nodes.JsonNode.Parse((await JsonAsync(await client.GetAsync($"/api/escalations/{created.GetProperty("packetId").GetGuid()}"))).GetRawText())!;
        await PacketSchema.AssertValidAsync(host.CreateClient(), draft.ToJsonString());
        foreach (var broken in new Action<System.Text.Json.Nodes.JsonNode>[]
                 {
                     d => d.AsObject().Remove("accounts"),
                     d => d["platform"] = "myspace",
                     d => d["accounts"]![0]!["daysDown"] = -1,
                     d => d["accounts"]![0]!["occurredOn"] = "20 November 2026",
                     d => d["surprise"] = true,
                 })
        {
            var copy = draft.DeepClone();
            broken(copy);
            await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => PacketSchema.AssertValidAsync(host.CreateClient(), copy.ToJsonString()));
        }
    }

    private async Task<Guid> DraftAsync(HttpClient client, params Guid[] reportIds) =>
        (await JsonAsync(await client.PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds }))).GetProperty("packetId").GetGuid();

    private static async Task<HttpStatusCode> StatusOfAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        return response.StatusCode;
    }

    [Fact]
    public async Task a_packet_is_sent_answered_given_outcomes_amended_into_a_new_version_and_closed()
    {
        var (org, client) = await OrganisationAsync(Roles.Escalation);
        Guid first = await CaseAsync(org, Facts("@first")), second = await CaseAsync(org, Facts("@second"));
        Guid packetId = await DraftAsync(client, first, second);
        string today = DateTime.UtcNow.ToString("yyyy-MM-dd");

        // Only what was signed can be sent.
        Assert.Equal(HttpStatusCode.Conflict, await StatusOfAsync(client.PostAsJsonAsync($"/api/escalations/{packetId}/sent", new { channel = "trusted partner e-mail", on = today })));
        Assert.Equal(HttpStatusCode.Conflict, await StatusOfAsync(client.PostAsJsonAsync($"/api/escalations/{packetId}/responses", new { text = "We will look.", on = today })));
        await JsonAsync(await client.PostAsync($"/api/escalations/{packetId}/finalise", null));
        byte[] version1 = await (await client.GetAsync($"/api/escalations/{packetId}?version=1")).Content.ReadAsByteArrayAsync();

        var badSent = await client.PostAsJsonAsync($"/api/escalations/{packetId}/sent", new { on = "2999-01-01" });
        Assert.Equal(HttpStatusCode.BadRequest, badSent.StatusCode);
        var badErrors = JsonDocument.Parse(await badSent.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(badErrors.TryGetProperty("channel", out _) && badErrors.TryGetProperty("on", out _));

        string tenDaysAgo = DateTime.UtcNow.AddDays(-10).ToString("yyyy-MM-dd");
        var sent = await JsonAsync(await client.PostAsJsonAsync($"/api/escalations/{packetId}/sent", new { channel = "trusted partner e-mail", reference = "T&S-4471", on = tenDaysAgo }));
        Assert.Equal("sent", sent.GetProperty("lifecycle").GetProperty("status").GetString());
        Assert.True(sent.GetProperty("lifecycle").GetProperty("overdue").GetBoolean());
        await PacketSchema.AssertValidAsync(host.CreateClient(), sent.GetRawText());
        var overdue = await JsonAsync(await client.GetAsync("/api/escalations?status=overdue"));
        Assert.Contains(overdue.GetProperty("items").EnumerateArray(), i => i.GetProperty("packetId").GetGuid() == packetId);

        var answered = await JsonAsync(await client.PostAsJsonAsync($"/api/escalations/{packetId}/responses", new { text = "We restored one channel.", on = today }));
        Assert.Equal("answered", answered.GetProperty("lifecycle").GetProperty("status").GetString());
        Assert.False(answered.GetProperty("lifecycle").GetProperty("overdue").GetBoolean());

        using (var stranger = await client.PostAsJsonAsync($"/api/escalations/{packetId}/outcomes",
                   new { outcomes = new object[] { new { reportId = Guid.NewGuid(), outcome = "restored", on = today } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, stranger.StatusCode);
            Assert.Contains("outcomes[0].reportId", await stranger.Content.ReadAsStringAsync());
        }
        using (var badOutcome = await client.PostAsJsonAsync($"/api/escalations/{packetId}/outcomes",
                   new { outcomes = new object[] { new { reportId = first, outcome = "forgiven", on = today } } }))
            Assert.Contains("outcomes[0].outcome", await badOutcome.Content.ReadAsStringAsync());
        using (var twice = await client.PostAsJsonAsync($"/api/escalations/{packetId}/outcomes",
                   new { outcomes = new object[] { new { reportId = first, outcome = "restored", on = today }, new { reportId = first, outcome = "upheld", on = today } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
            Assert.Contains("outcomes[1].reportId", await twice.Content.ReadAsStringAsync());
        }
        var outcomes = await JsonAsync(await client.PostAsJsonAsync($"/api/escalations/{packetId}/outcomes",
            new { outcomes = new object[] { new { reportId = first, outcome = "restored", on = today }, new { reportId = second, outcome = "upheld", on = today } } }));
        Assert.Equal(2, outcomes.GetProperty("lifecycle").GetProperty("outcomes").GetArrayLength());
        // A later word on an account replaces the earlier one.
        outcomes = await JsonAsync(await client.PostAsJsonAsync($"/api/escalations/{packetId}/outcomes",
            new { outcomes = new object[] { new { reportId = second, outcome = "partially_restored", on = today } } }));
        Assert.Equal(["partially_restored", "restored"], outcomes.GetProperty("lifecycle").GetProperty("outcomes").EnumerateArray().Select(o => o.GetProperty("outcome").GetString()!).Order());

        // A change after finalising opens version 2; version 1 stays as it was.
        using (var unknownField = await client.PatchAsync($"/api/escalations/{packetId}", JsonContent.Create(new { handle = "@other" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
            Assert.Contains("handle", await unknownField.Content.ReadAsStringAsync());
        }
        using (var notInPacket = await client.PatchAsync($"/api/escalations/{packetId}", JsonContent.Create(new { accountsRemoved = new[] { Guid.NewGuid() } })))
            Assert.Equal(HttpStatusCode.BadRequest, notInPacket.StatusCode);
        using (var badRoute = await client.PatchAsync($"/api/escalations/{packetId}", JsonContent.Create(new Dictionary<string, object> { ["routes"] = new Dictionary<string, string> { [second.ToString()] = "carrier_pigeon" } })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badRoute.StatusCode);
            Assert.Contains($"routes.{second}", await badRoute.Content.ReadAsStringAsync());
        }
        var amended = await JsonAsync(await client.PatchAsync($"/api/escalations/{packetId}", JsonContent.Create(new Dictionary<string, object>
        {
            ["ask"] = "Restore the second channel too.", ["accountsRemoved"] = new[] { first },
            ["routes"] = new Dictionary<string, string> { [second.ToString()] = "dsa_article_21" },
        })));
        var chosen = amended.GetProperty("accounts")[0].GetProperty("remedy");
        Assert.Equal("dsa_article_21", chosen.GetProperty("route").GetString());
        Assert.False(chosen.GetProperty("proposed").GetBoolean());
        Assert.Equal(2, amended.GetProperty("version").GetInt32());
        Assert.Equal("draft", amended.GetProperty("status").GetString());
        Assert.Equal(["@second"], amended.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("handle").GetString()));
        Assert.Equal(version1, await (await client.GetAsync($"/api/escalations/{packetId}?version=1")).Content.ReadAsByteArrayAsync());
        var version2 = await JsonAsync(await client.GetAsync($"/api/escalations/{packetId}?version=2"));
        Assert.Equal("Restore the second channel too.", version2.GetProperty("ask").GetString());
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(client.GetAsync($"/api/escalations/{packetId}?version=3")));

        var closed = await JsonAsync(await client.PostAsJsonAsync($"/api/escalations/{packetId}/close", new { reason = "One restored, one partially." }));
        Assert.Equal("closed", closed.GetProperty("lifecycle").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, await StatusOfAsync(client.PostAsJsonAsync($"/api/escalations/{packetId}/close", new { })));
        Assert.Equal(HttpStatusCode.Conflict, await StatusOfAsync(client.PatchAsync($"/api/escalations/{packetId}", JsonContent.Create(new { ask = "More." }))));
        var (_, outsider) = await OrganisationAsync(Roles.Escalation);
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(outsider.PostAsJsonAsync($"/api/escalations/{packetId}/responses", new { text = "x", on = today })));
    }

    [Fact]
    public async Task the_list_pages_through_the_callers_packets_once_each_and_filters_by_status()
    {
        var (org, client) = await OrganisationAsync(Roles.Escalation);
        var (_, outsider) = await OrganisationAsync(Roles.Escalation);
        Guid own = await CaseAsync(org, Facts("@own"));
        var drafted = new List<Guid>();
        for (int i = 0; i < 5; i++) drafted.Add(await DraftAsync(client, own));
        await JsonAsync(await client.PostAsync($"/api/escalations/{drafted[0]}/finalise", null));

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await JsonAsync(await client.GetAsync("/api/escalations?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("packetId").GetGuid()));
            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        } while (cursor is not null);
        Assert.Equal(drafted.Order(), seen.Order());
        Assert.Equal(seen.Count, seen.Distinct().Count());

        var finalised = await JsonAsync(await client.GetAsync("/api/escalations?status=finalised"));
        Assert.Equal([drafted[0]], finalised.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("packetId").GetGuid()));
        var theirs = await JsonAsync(await outsider.GetAsync("/api/escalations"));
        Assert.Equal(0, theirs.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfAsync(client.GetAsync("/api/escalations?status=lost")));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfAsync(client.GetAsync("/api/escalations?cursor=not-a-cursor")));
    }

    [Fact]
    public async Task remedy_times_count_restorations_by_appeal_and_by_packet_and_censor_the_rest()
    {
        var (org, client) = await OrganisationAsync(Roles.Escalation);
        // A platform of its own in this host's shared tables: Telegram, spam.
        CaseFacts Telegram(string handle, CaseAppeal? appeal = null) => Facts(handle, Platform.Telegram, appeal: appeal) with
        {
            Ground = new CaseGround(GroundCategory.Spam, null, null, null, null, null), OccurredOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-40),
        };
        var start = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-40);
        Guid byAppeal = await CaseAsync(org, Telegram("@appealed", new CaseAppeal(start.AddDays(1), "restored", start.AddDays(5))));
        Guid byPacket = await CaseAsync(org, Telegram("@escalated"));
        Guid stillDown = await CaseAsync(org, Telegram("@down"));
        Guid upheld = await CaseAsync(org, Telegram("@upheld", new CaseAppeal(start.AddDays(1), "upheld", start.AddDays(3))));
        var created = await JsonAsync(await client.PostAsJsonAsync("/api/escalations", new { platform = "telegram", reportIds = new[] { byPacket, stillDown, upheld } }));
        Guid packetId = created.GetProperty("packetId").GetGuid();
        await JsonAsync(await client.PostAsync($"/api/escalations/{packetId}/finalise", null));
        await JsonAsync(await client.PostAsJsonAsync($"/api/escalations/{packetId}/sent", new { channel = "partner", on = start.AddDays(10).ToString("yyyy-MM-dd") }));
        await JsonAsync(await client.PostAsJsonAsync($"/api/escalations/{packetId}/outcomes", new { outcomes = new object[]
        {
            new { reportId = byPacket, outcome = "restored", on = start.AddDays(12).ToString("yyyy-MM-dd") },
            new { reportId = upheld, outcome = "upheld", on = start.AddDays(12).ToString("yyyy-MM-dd") },
        } }));

        var times = await JsonAsync(await client.GetAsync("/api/escalations/remedy-times?platform=telegram&category=spam"));
        var row = Assert.Single(times.GetProperty("items").EnumerateArray());
        Assert.Equal(4, row.GetProperty("accounts").GetInt32());
        Assert.Equal(2, row.GetProperty("restored").GetInt32());
        Assert.Equal(2, row.GetProperty("atRisk").GetInt32());
        Assert.Equal(12, row.GetProperty("medianDaysToRestore").GetInt32()); // restored on days 5 and 12 of 4: half by day 12
        Assert.Equal(0.25, row.GetProperty("restoredBy").GetProperty("7").GetDouble(), 4);
        Assert.Equal(0.5, row.GetProperty("restoredBy").GetProperty("30").GetDouble(), 4);
        // Escalated (in the packet sent): three accounts, one restored on day 12; the other, restored on appeal on day 5.
        var escalated = row.GetProperty("escalated");
        Assert.Equal((3, 1, 2), (escalated.GetProperty("count").GetInt32(), escalated.GetProperty("events").GetInt32(), escalated.GetProperty("atRisk").GetInt32()));
        var notEscalated = row.GetProperty("notEscalated");
        Assert.Equal((1, 1, 5), (notEscalated.GetProperty("count").GetInt32(), notEscalated.GetProperty("events").GetInt32(), notEscalated.GetProperty("medianDays").GetInt32()));
        // The packet, sent on day 10, was first answered (the outcomes) on day 12.
        var answer = row.GetProperty("sentToAnswer");
        Assert.Equal((1, 1, 2), (answer.GetProperty("count").GetInt32(), answer.GetProperty("events").GetInt32(), answer.GetProperty("medianDays").GetInt32()));
        Assert.Equal(1.0, answer.GetProperty("by").GetProperty("7").GetDouble());

        // A packet whose only word is "no answer" has not been answered: it waits, censored at today (30 days after sending).
        Guid harassed = await CaseAsync(org, Telegram("@harassed") with { Ground = new CaseGround(GroundCategory.Impersonation, null, null, null, null, null) });
        var silent = (await JsonAsync(await client.PostAsJsonAsync("/api/escalations", new { platform = "telegram", reportIds = new[] { harassed } })))
            .GetProperty("packetId").GetGuid();
        await JsonAsync(await client.PostAsync($"/api/escalations/{silent}/finalise", null));
        await JsonAsync(await client.PostAsJsonAsync($"/api/escalations/{silent}/sent", new { channel = "partner", on = start.AddDays(10).ToString("yyyy-MM-dd") }));
        await JsonAsync(await client.PostAsJsonAsync($"/api/escalations/{silent}/outcomes", new { outcomes = new object[]
        {
            new { reportId = harassed, outcome = "no_answer", on = start.AddDays(20).ToString("yyyy-MM-dd") },
        } }));
        var unanswered = (await JsonAsync(await client.GetAsync("/api/escalations/remedy-times?platform=telegram&category=impersonation")))
            .GetProperty("items")[0].GetProperty("sentToAnswer");
        Assert.Equal((1, 0, 1), (unanswered.GetProperty("count").GetInt32(), unanswered.GetProperty("events").GetInt32(), unanswered.GetProperty("atRisk").GetInt32()));

        using var bad = await client.GetAsync("/api/escalations/remedy-times?platform=myspace&from=2026-13-01");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        string problem = await bad.Content.ReadAsStringAsync();
        Assert.Contains("platform", problem);
        Assert.Contains("from", problem);
        var (_, outsider) = await OrganisationAsync(Roles.Escalation);
        var theirs = await JsonAsync(await outsider.GetAsync("/api/escalations/remedy-times?platform=telegram&category=spam"));
        Assert.Equal(0, theirs.GetProperty("items").GetArrayLength()); // none of these cases is shared with the network
    }

    [Fact]
    public async Task markdown_html_and_pdf_renderings_are_in_the_packets_language_escape_what_reports_say_and_show_the_signature()
    {
        var (org, client) = await OrganisationAsync(Roles.Escalation);
        var hostile = Facts("@hostile_channel") with
        {
            Ground = new CaseGround(GroundCategory.CommunityStandards, "Spam", "<script>alert(1)</script> *bold* [link](http://x)", "Claimant & Co", 3, false),
        };
        Guid id = await CaseAsync(org, hostile);
        var created = await JsonAsync(await client.PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds = new[] { id }, language = "ru" }));
        Guid packetId = created.GetProperty("packetId").GetGuid();

        using var md = await client.GetAsync($"/api/escalations/{packetId}.md");
        Assert.True("text/markdown" == md.Content.Headers.ContentType?.MediaType, $"{(int)md.StatusCode}: {await md.Content.ReadAsStringAsync()}");
        string markdown = await md.Content.ReadAsStringAsync();
        Assert.Contains("# Пакет для эскалации", markdown);
        Assert.Contains("\\<script\\>", markdown);
        Assert.Contains("\\*bold\\*", markdown);
        Assert.DoesNotContain("[link](", markdown);
        Assert.Contains("@hostile\\_channel", markdown);

        using var page = await client.GetAsync($"/api/escalations/{packetId}.html");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        string html = await page.Content.ReadAsStringAsync();
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<html lang=\"ru\">", html);
        Assert.DoesNotContain("<script", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("Claimant &amp; Co", html);
        Assert.DoesNotContain("http://", html.Replace("http://x)", "")); // no outside resource is loaded by the page

        using var pdf = await client.GetAsync($"/api/escalations/{packetId}.pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        string pdfText = PacketRenderingTests.PdfText(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains("Пакет для эскалации", pdfText);
        Assert.Contains("<script>alert(1)</script>", pdfText); // shown as written, never run

        var finalised = await JsonAsync(await client.PostAsync($"/api/escalations/{packetId}/finalise", null));
        Assert.Contains(finalised.GetProperty("sha256").GetString()!,
            PacketRenderingTests.PdfText(await client.GetByteArrayAsync($"/api/escalations/{packetId}.pdf?version=1")));
        string signedMarkdown = await client.GetStringAsync($"/api/escalations/{packetId}.md?version=1");
        Assert.Contains(finalised.GetProperty("sha256").GetString()!, signedMarkdown);
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(client.GetAsync($"/api/escalations/{packetId}.html?version=2")));
        var (_, outsider) = await OrganisationAsync(Roles.Escalation);
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(outsider.GetAsync($"/api/escalations/{packetId}.md")));
    }

    private Task<long> PacketCountAsync() => Database.ScalarAsync($"select count(*) from \"{host.Schema}\".mt_streams");
}
