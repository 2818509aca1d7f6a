using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Correlation.Campaigns;
using Takedowns.Testing;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>Detection and analysts writing to one campaign at once, on the real PostgreSQL: neither loses the other's change.</summary>
public sealed class CampaignConcurrencyTests(AnalysisHost host) : IClassFixture<AnalysisHost>
{
    private static readonly DateTimeOffset Start = new(2026, 9, 20, 9, 0, 0, TimeSpan.Zero);

    private IDocumentStore Store => host.Services.GetRequiredService<IDocumentStore>();

    private static CampaignMember Member(int i) =>
        new(Guid.NewGuid(), Guid.NewGuid(), $"ext-{i}-{Guid.NewGuid():N}"[..16], Start.AddMinutes(i), Platform.YouTube, "KG");

    /// <summary>A campaign as detection raises it: its stream, and the cluster it was raised for with a profile per member.</summary>
    private async Task<(Guid CampaignId, Guid ClusterId, IReadOnlyList<CampaignMember> Members)> RaiseAsync()
    {
        var members = Enumerable.Range(0, 4).Select(Member).ToList();
        var campaignId = Guid.NewGuid();
        var cluster = new CandidateCluster { Id = Guid.NewGuid(), Members = members.Select(m => m.ReportId).ToList(), CampaignId = campaignId };
        cluster.Announced = [.. cluster.Members];
        await using var session = Store.LightweightSession();
        session.Events.StartStream<Campaign>(campaignId,
            new CampaignRaised(campaignId, cluster.Id, members, ["same claimant", "near-identical notice text"], 9.5, 0.001, Start.AddHours(1)));
        session.Store(cluster);
        foreach (var m in members)
            session.Store(new NoticeProfile { Id = m.ReportId, ClusterId = cluster.Id, Platform = Platform.YouTube, Country = "KG", OccurredAt = m.OccurredAt });
        await session.SaveChangesAsync();
        return (campaignId, cluster.Id, members);
    }

    /// <summary>The campaign's document once the projection has brought it to <paramref name="until"/>.</summary>
    private async Task<Campaign> DocumentAsync(Guid campaignId, Func<Campaign?, bool> until, string what) =>
        (await Eventually.Until(async () =>
        {
            await using var query = Store.QuerySession();
            return await query.LoadAsync<Campaign>(campaignId);
        }, until, what: what))!;

    private async Task<HttpResponseMessage> PostAsync(Guid campaignId, string verb, object body) =>
        await host.CreateAdminClient().PostAsync($"{CampaignEndpoints.Path}/{campaignId}/{verb}",
            new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    [Fact]
    public async Task an_action_on_a_campaign_that_changed_since_it_was_read_is_refused_whole_and_the_document_follows_every_event()
    {
        var (campaignId, _, members) = await RaiseAsync();
        var late = Member(9);

        // An analyst's action reads the campaign and prepares a note...
        await using (var acting = Store.LightweightSession())
        {
            var stream = await acting.Events.FetchForWriting<Campaign>(campaignId);
            Assert.Equal(members.Count, stream.Aggregate!.Members.Count);
            stream.AppendOne(new CampaignAnnotated(campaignId, "analyst", "Looks coordinated", Start.AddHours(2)));
            // ...detection links a report to it meanwhile (as its subscription does: appended only)...
            await using (var detection = Store.LightweightSession())
            {
                detection.Events.Append(campaignId, new CampaignReportLinked(campaignId, late, Start.AddHours(2)));
                await detection.SaveChangesAsync();
            }
            // ...and the note, written against what it read, is refused as a whole.
            await Assert.ThrowsAnyAsync<JasperFx.ConcurrencyException>(() => acting.SaveChangesAsync());
        }

        // Through the API the action is tried again on what the campaign is now, and the answer shows both.
        using (var response = await PostAsync(campaignId, "annotate", new { note = "Looks coordinated" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(members.Count + 1, answer.GetProperty("reportCount").GetInt32());
        }
        var campaign = await DocumentAsync(campaignId, c => c?.Timeline.Count == 3, "the campaign's document to follow its events");
        Assert.Equal(members.Select(m => m.ReportId).Append(late.ReportId).Order(), campaign.Members.Select(m => m.ReportId).Order());
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(campaignId);
        Assert.Equal([typeof(CampaignRaised), typeof(CampaignReportLinked), typeof(CampaignAnnotated)], events.Select(e => e.EventType));
    }

    [Fact]
    public async Task analysts_acting_while_detection_links_reports_lose_nothing()
    {
        var (campaignId, _, members) = await RaiseAsync();
        var linked = Enumerable.Range(10, 20).Select(Member).ToList();

        var detection = Task.Run(async () =>
        {
            // A page that meets an analyst's append on the same stream fails as a whole and is processed again, as the daemon does.
            foreach (var m in linked)
                for (int attempt = 1; ; attempt++)
                    try
                    {
                        await using var page = Store.LightweightSession();
                        page.Events.Append(campaignId, new CampaignReportLinked(campaignId, m, Start.AddHours(3)));
                        await page.SaveChangesAsync();
                        break;
                    }
                    catch (JasperFx.ConcurrencyException) when (attempt < 50)
                    {
                        await Task.Delay(20);
                    }
        });
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var response = await PostAsync(campaignId, "annotate", new { note = $"note {i}" });
            return (Note: $"note {i}", response.StatusCode);
        }));
        await detection;
        // Once detection is quiet, an action is recorded on the first try (how many of the racing ones were depends on timing).
        using (var response = await PostAsync(campaignId, "annotate", new { note = "note after" }))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        var recorded = answers.Where(a => a.StatusCode == HttpStatusCode.OK).Select(a => a.Note).Append("note after").Order().ToList();
        var campaign = await DocumentAsync(campaignId,
            c => c?.Members.Count == members.Count + linked.Count && c.Timeline.Count(t => t.What.StartsWith("Note by", StringComparison.Ordinal)) == recorded.Count,
            "every linked report and every recorded note in the campaign's document");
        Assert.Equal(recorded, campaign.Timeline.Where(t => t.What.StartsWith("Note by", StringComparison.Ordinal)).Select(t => t.What[(t.What.IndexOf(": ", StringComparison.Ordinal) + 2)..]).Order());
    }

    [Fact]
    public async Task analysts_acting_on_one_campaign_at_once_each_get_an_answer_and_the_document_holds_exactly_what_was_recorded()
    {
        var (campaignId, _, _) = await RaiseAsync();

        var notes = Enumerable.Range(0, 12).Select(i => $"note {i}").ToList();
        var answers = await Task.WhenAll(notes.Select(async note =>
        {
            using var response = await PostAsync(campaignId, "annotate", new { note });
            return (note, response.StatusCode);
        }));

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        var recorded = answers.Where(a => a.StatusCode == HttpStatusCode.OK).Select(a => a.note).Order().ToList();
        await using var query = Store.QuerySession();
        var events = await query.Events.FetchStreamAsync(campaignId);
        Assert.Equal(recorded, events.Select(e => e.Data).OfType<CampaignAnnotated>().Select(e => e.Note).Order());
        var campaign = await DocumentAsync(campaignId, c => c?.Timeline.Count == 1 + recorded.Count, "the campaign's document to follow its events");
        Assert.Equal(recorded, campaign.Timeline.Where(t => t.What.StartsWith("Note by", StringComparison.Ordinal)).Select(t => t.What[(t.What.IndexOf(": ", StringComparison.Ordinal) + 2)..]).Order());
    }

    [Fact]
    public async Task analysts_decisions_reach_detections_clusters_through_the_events()
    {
        var (campaignId, clusterId, members) = await RaiseAsync();
        var split = members[2].ReportId;

        using (var response = await PostAsync(campaignId, "split", new { reportId = split, reason = "A genuine claim" }))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var response = await PostAsync(campaignId, "dismiss", new { reason = "Routine" }))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var cluster = await Eventually.Until(async () =>
        {
            await using var query = Store.QuerySession();
            return await query.LoadAsync<CandidateCluster>(clusterId);
        }, c => c is { Dismissed: true } && c.SplitOff.Contains(split), what: "detection to carry the split and the dismissal into its cluster");
        Assert.DoesNotContain(split, cluster!.Members);
        Assert.DoesNotContain(split, cluster.Announced);
        await using var session = Store.QuerySession();
        Assert.Null((await session.LoadAsync<NoticeProfile>(split))!.ClusterId);
        Assert.Equal(clusterId, (await session.LoadAsync<NoticeProfile>(members[0].ReportId))!.ClusterId);
    }
}
