using System.Net;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Analysis;
using Takedowns.Testing;

namespace Takedowns.Publishing.Tests.Feeds;

/// <summary>
/// <c>GET /api/public/feed.atom</c>: spikes and confirmed campaigns in public form, valid under the Atom schema beside this
/// test and RFC 4287's cardinalities, and nothing below k or withdrawn.
/// </summary>
public sealed class PublicFeedTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    private Task PublishAsync<T>(T message) where T : class => Delivery.UntilDeliveredAsync(host.Services.GetRequiredService<MassTransit.IBus>(), message);

    private async Task<XDocument> FeedAsync() => XDocument.Parse(await FeedTextAsync());

    private async Task<string> FeedTextAsync()
    {
        using var response = await host.CreateClient().GetAsync("/api/public/feed.atom");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        string xml = await response.Content.ReadAsStringAsync();
        Validate(xml);
        return xml;
    }

    /// <summary>Valid under atom.xsd, and each feed and entry holds exactly one id, title and updated, with an author for every entry.</summary>
    private static void Validate(string xml)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add("http://www.w3.org/2005/Atom", Path.Combine(AppContext.BaseDirectory, "Feeds", "atom.xsd"));
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message}");
        using (var reader = XmlReader.Create(new StringReader(xml), settings))
            while (reader.Read()) { }
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + xml);

        var feed = XDocument.Parse(xml).Root!;
        Assert.Equal(Atom + "feed", feed.Name);
        foreach (var element in new[] { feed }.Concat(feed.Elements(Atom + "entry")))
            foreach (string name in new[] { "id", "title", "updated" })
                Assert.Single(element.Elements(Atom + name));
        Assert.NotEmpty(feed.Elements(Atom + "author"));
        Assert.Contains(feed.Elements(Atom + "link"), l => (string?)l.Attribute("rel") == "self");
        Assert.Equal(feed.Elements(Atom + "entry").Count(), feed.Elements(Atom + "entry").Select(e => e.Element(Atom + "id")!.Value).Distinct().Count());
    }

    [Fact]
    public async Task spikes_and_confirmed_campaigns_are_entries_in_public_form()
    {
        var period = new CivicPeriodRef(Guid.NewGuid(), "UZ", CivicPeriodType.Referendum, "Constitutional referendum", new DateOnly(2023, 4, 30), new DateOnly(2023, 4, 30));
        var spike = new SpikeDetected(Guid.NewGuid(), new Slice("UZ", Platform.Telegram), new DateOnly(2023, 4, 24), new DateOnly(2023, 4, 30),
            23, 4.4, 6, 1e-6, "tail test over 7 days", [period], new DateTimeOffset(2023, 5, 1, 8, 0, 0, TimeSpan.Zero));
        var small = spike with { SpikeId = Guid.NewGuid(), Observed = 3, Slice = new Slice("UZ", Platform.X) };
        var withdrawn = spike with { SpikeId = Guid.NewGuid(), Slice = new Slice("UZ", Platform.YouTube) };
        await PublishAsync(spike);
        await PublishAsync(small);
        await PublishAsync(withdrawn);
        await PublishAsync(new SpikeEnded(withdrawn.SpikeId, withdrawn.Slice, withdrawn.Start, withdrawn.End, 23, 4.4, Withdrawn: true, withdrawn.DetectedAt.AddHours(1)));

        var reports = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToList();
        var suspected = new CampaignSuspected(Guid.NewGuid(), reports, 9.1, 0.0004, ["same claimant", "near-identical notice text"], ["UZ"], [Platform.Telegram],
            new DateTimeOffset(2023, 4, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2023, 4, 29, 0, 0, 0, TimeSpan.Zero), DateTimeOffset.UtcNow);
        await PublishAsync(suspected);
        await PublishAsync(new CampaignConfirmed(suspected.CampaignId, reports, "checked by two analysts", new DateTimeOffset(2023, 5, 2, 9, 0, 0, TimeSpan.Zero)));

        var feed = XDocument.Parse(await Eventually.Until(FeedTextAsync, x => XDocument.Parse(x).Root!.Elements(Atom + "entry").Count(e => e.Element(Atom + "title")!.Value.Contains("UZ")) == 2,
            what: "the spike and the campaign in the feed"));
        var entries = feed.Root!.Elements(Atom + "entry").Where(e => e.Element(Atom + "title")!.Value.Contains("UZ")).ToList();
        var spikeEntry = Assert.Single(entries, e => e.Element(Atom + "title")!.Value.StartsWith("Spike"));
        Assert.Equal("Spike in takedowns: UZ, telegram, all grounds, 2023-04-24 to 2023-04-30", spikeEntry.Element(Atom + "title")!.Value);
        string summary = spikeEntry.Element(Atom + "summary")!.Value;
        Assert.Contains("23 takedowns", summary);
        Assert.Contains("about 4.4 expected", summary);
        Assert.Contains("Constitutional referendum", summary);
        Assert.Equal("2023-05-01T08:00:00Z", spikeEntry.Element(Atom + "updated")!.Value);
        Assert.Contains(spikeEntry.Elements(Atom + "category"), c => (string?)c.Attribute("term") == "platform:telegram");

        var campaignEntry = Assert.Single(entries, e => e.Element(Atom + "title")!.Value.StartsWith("Coordinated"));
        Assert.Contains("10 to 24 takedowns in UZ on telegram", campaignEntry.Element(Atom + "summary")!.Value);
        Assert.DoesNotContain("12", campaignEntry.Element(Atom + "summary")!.Value); // the size in a bucket only
        Assert.DoesNotContain(suspected.CampaignId.ToString(), feed.ToString());
        Assert.DoesNotContain(spike.SpikeId.ToString(), feed.ToString());
        Assert.DoesNotContain(entries, e => e.Element(Atom + "title")!.Value.Contains("youtube") || e.Element(Atom + "title")!.Value.Contains(", x,"));
        Assert.DoesNotContain("checked by two analysts", feed.ToString());
    }

    [Fact]
    public async Task an_empty_feed_is_still_a_valid_feed() => Assert.NotNull((await FeedAsync()).Root);
}
