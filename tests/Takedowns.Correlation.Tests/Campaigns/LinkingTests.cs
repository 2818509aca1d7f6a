using Takedowns.Contracts;
using Takedowns.Correlation.Campaigns;

namespace Takedowns.Correlation.Tests.Campaigns;

/// <summary>How pairs of notices are weighed, on hand-made background counts.</summary>
public sealed class LinkingTests
{
    private static readonly DateTimeOffset Noon = new(2026, 10, 1, 12, 0, 0, TimeSpan.Zero);

    private static NoticeProfile Notice(string claimant, string domain, int minutesLater = 0) => new()
    {
        Id = Guid.NewGuid(), Platform = Platform.YouTube, SubjectType = SubjectType.Journalist, PolicyKey = "youtube copyright policy",
        ClaimantKeys = ClaimantKeys.Of(claimant), Domain = domain, OccurredAt = Noon.AddMinutes(minutesLater),
    };

    /// <summary>
    /// A platform with 50,000 notices over 1,000 days, a fifth of them citing copyright; 1,000 filed by claimants named
    /// "&lt;word&gt; Holding", 900 of which name the catalogue that 1,200 notices name in all; 3 name a domain nothing else names.
    /// </summary>
    private static Background Counts(long platformNotices = 50_000, long days = 1_000) => new(new Dictionary<string, long>
    {
        ["n"] = platformNotices * 2, ["days"] = days, ["n:youtube"] = platformNotices,
        ["policy:youtube:youtube copyright policy"] = platformNotices / 5,
        ["pattern:youtube:* holding"] = 1_000,
        ["domain:youtube:catalogue.example"] = 1_200, ["pattern-domain:youtube:* holding|catalogue.example"] = 900,
        ["domain:youtube:claims.example"] = 3, ["pattern-domain:youtube:* holding|claims.example"] = 3,
    });

    private static ulong[] NoShingles(NoticeProfile _) => [];

    [Fact]
    public void two_rights_holders_of_one_name_pattern_naming_their_usual_catalogue_do_not_link()
    {
        var background = Counts();
        var evidence = Linking.Evidence(Notice("Riselina Holding", "catalogue.example"), Notice("Mesnezen Holding", "catalogue.example", 10), NoShingles, background);

        Assert.Equal("claimant names of one pattern", evidence.Claimant);
        Assert.True(evidence.Domain);
        // The domain is weighed by how often claimants of that pattern name it (900 of 1,000), not by its rarity overall.
        double expected = background.Rarity("pattern", Platform.YouTube, "* holding") - 1
            + background.RarityGiven("pattern", "* holding", "domain", Platform.YouTube, "catalogue.example")
            + background.Rarity("policy", Platform.YouTube, "youtube copyright policy") + 0.5 + 0.5;
        Assert.Equal(expected, evidence.Weight, 9);
        Assert.True(background.Rarity("domain", Platform.YouTube, "catalogue.example") > 3.5); // rare overall: it would have linked
        Assert.False(Linking.Links(evidence, TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void each_signal_is_told_with_the_links_it_is_in_and_how_common_its_value_is_on_the_platform()
    {
        var background = Counts();
        var a = Notice("Gortor Holding", "claims.example");
        var b = Notice("Zentemmir Holding", "claims.example", 10);
        var c = Notice("Mesnezen Holding", "claims.example", 20);
        var links = new[] { Linking.Evidence(a, b, NoShingles, background), Linking.Evidence(a, c, NoShingles, background) };

        var measured = Linking.Measure(links, [a, b, c], background);
        Assert.Equal(Linking.Describe(links), measured.Select(m => m.Signal));
        Assert.All(measured, m => Assert.Equal(2, m.OfLinks));
        // The domain they name, claims.example: 3 of the platform's 50,000 notices, smoothed as the weights read it.
        var domain = measured.Single(m => m.Signal == "same claimed original (domain)");
        Assert.Equal(2, domain.Links);
        Assert.Equal(Math.Round((3 + 1.0) / (50_000 + 10), 6), domain.Share);
        var policy = measured.Single(m => m.Signal == "same policy cited");
        Assert.Equal(2, policy.Links);
        Assert.Equal(Math.Round((10_000 + 1.0) / (50_000 + 10), 6), policy.Share);
        // The kind of target is not a value counted among notices: no share.
        Assert.Null(measured.Single(m => m.Signal == "same kind of target").Share);
    }

    [Fact]
    public void names_of_one_pattern_naming_a_domain_unusual_for_that_pattern_link()
    {
        var evidence = Linking.Evidence(Notice("Gortor Holding", "claims.example"), Notice("Zentemmir Holding", "claims.example", 10), NoShingles, Counts());

        Assert.True(Linking.Links(evidence, TimeSpan.FromMinutes(10)), $"weight {evidence.Weight:F2}");
    }

    [Fact]
    public void the_same_claimant_naming_its_usual_domain_gains_nothing_from_the_domain()
    {
        var background = new Background(new Dictionary<string, long>
        {
            ["n:youtube"] = 50_000, ["days"] = 1_000, ["claimant:youtube:riselina holding"] = 400,
            ["claimant-domain:youtube:riselina holding|catalogue.example"] = 400, ["domain:youtube:catalogue.example"] = 1_200,
        });

        double given = background.RarityGiven("claimant", "riselina holding", "domain", Platform.YouTube, "catalogue.example");

        Assert.InRange(given, 0, 0.01);
    }

    [Fact]
    public void unrelated_claimants_naming_the_catalogue_most_notices_under_their_policy_name_gain_little_from_the_domain()
    {
        // 10,000 copyright notices, 3,000 of which name the catalogue (3,200 notices name it in all); 3 name a rare domain.
        var background = new Background(new Dictionary<string, long>
        {
            ["n"] = 100_000, ["days"] = 1_000, ["n:youtube"] = 50_000, ["policy:youtube:youtube copyright policy"] = 10_000,
            ["domain:youtube:catalogue.example"] = 3_200, ["policy-domain:youtube:youtube copyright policy|catalogue.example"] = 3_000,
            ["domain:youtube:claims.example"] = 3, ["policy-domain:youtube:youtube copyright policy|claims.example"] = 3,
        });
        double policy = background.Rarity("policy", Platform.YouTube, "youtube copyright policy");

        var usual = Linking.Evidence(Notice("Gortor Films", "catalogue.example"), Notice("Lumira Rights Agency", "catalogue.example", 10), NoShingles, background);
        var rare = Linking.Evidence(Notice("Gortor Films", "claims.example"), Notice("Lumira Rights Agency", "claims.example", 10), NoShingles, background);

        Assert.Null(usual.Claimant);
        Assert.True(usual.Domain && usual.Policy);
        // The domain weighs as rare as it is among the policy's notices (3 in 10), not among all of the platform's (about 6 in 100).
        double given = background.RarityGiven("policy", "youtube copyright policy", "domain", Platform.YouTube, "catalogue.example");
        Assert.Equal(given + policy + 0.5 + 0.5, usual.Weight, 9);
        Assert.True(background.Rarity("domain", Platform.YouTube, "catalogue.example") - given > 1.5);
        Assert.False(Linking.Links(usual, TimeSpan.FromMinutes(10)));
        // A domain that the policy's notices hardly ever name is as telling as before.
        Assert.True(Linking.Links(rare, TimeSpan.FromMinutes(10)), $"weight {rare.Weight:F2}");
    }

    [Theory]
    [InlineData(50_000, 1_000, 1)]          // 50 a day: as calibrated
    [InlineData(20_000, 1_000, 1)]          // quieter: never below the calibrated thresholds
    [InlineData(500_000, 1_000, 10)]        // ten times busier: half of ln 10 more evidence needed
    [InlineData(5_000_000, 1_000, 100)]     // a hundred times: half of ln 100
    public void a_busier_platform_needs_more_evidence_by_half_the_log_of_its_volume(long notices, long days, double busier)
    {
        double crowding = Math.Log(busier) / 2;
        var background = Counts(notices, days);
        var calm = Counts(50_000, 1_000);
        var a = Notice("Gortor Holding", "claims.example");
        var b = Notice("Zentemmir Holding", "claims.example", 10);

        Assert.Equal(crowding, background.Crowding(Platform.YouTube), 8);
        // Rarities are shares, the same at any volume here but for smoothing; the difference in weight is the crowding.
        double shares = background.Rarity("policy", Platform.YouTube, "youtube copyright policy") - calm.Rarity("policy", Platform.YouTube, "youtube copyright policy")
            + background.Rarity("pattern", Platform.YouTube, "* holding") - calm.Rarity("pattern", Platform.YouTube, "* holding");
        Assert.Equal(-crowding + shares, Linking.Evidence(a, b, NoShingles, background).Weight - Linking.Evidence(a, b, NoShingles, calm).Weight, 9);
    }

    [Fact]
    public void texts_are_compared_only_when_their_similarity_can_decide_the_link()
    {
        const string text = "we hereby request the removal of the video that reproduces our program without any license granted by the owner of the rights in it";
        NoticeProfile Copy(string claimant, string domain, int minutes = 0, Platform platform = Platform.YouTube) => new()
        {
            Id = Guid.NewGuid(), Platform = platform, SubjectType = SubjectType.Journalist, PolicyKey = "youtube copyright policy",
            ClaimantKeys = ClaimantKeys.Of(claimant), Domain = domain, OccurredAt = Noon.AddMinutes(minutes),
            Text = text, Signature = NoticeProfile.Encode(NoticeText.Signature(text)),
        };
        int compared = 0;
        ulong[] Shingles(NoticeProfile p)
        {
            compared++;
            return NoticeText.Shingles(p.Text);
        }
        var background = Counts();
        bool Links(NoticeProfile a, NoticeProfile b) => Linking.Links(a, b, Shingles, SignalWeights.Of(a, background), a.OccurredAt - b.OccurredAt);

        // One claimant naming a domain nothing else names, ten minutes apart: linked by those, the text adds nothing.
        Assert.True(Links(Copy("Quist", "claims.example"), Copy("Quist", "claims.example", 10)));
        Assert.Equal(0, compared);
        // Two days apart on two platforms, nothing else in common: even identical texts cannot reach the 7-day threshold.
        Assert.False(Links(Copy("Riselina Holding", "catalogue.example"), Copy("Orvald Media Group", "elsewhere.example", 2 * 24 * 60, Platform.Facebook)));
        Assert.Equal(0, compared);
        // Eight days apart: beyond the longest window, nothing links.
        Assert.False(Links(Copy("Quist", "claims.example"), Copy("Quist", "claims.example", 8 * 24 * 60)));
        Assert.Equal(0, compared);
        // Minutes apart with only the policy besides: the text decides, and is compared.
        Assert.True(Links(Copy("Riselina Holding", "catalogue.example"), Copy("Orvald Media Group", "elsewhere.example", 10)));
        Assert.Equal(2, compared); // the two texts of one comparison
        // The whole evidence always has the exact similarity.
        compared = 0;
        Assert.Equal(1, Linking.Evidence(Copy("Quist", "claims.example"), Copy("Quist", "claims.example", 10), Shingles, background).TextSimilarity);
        Assert.Equal(2, compared);
    }

    [Fact]
    public void deciding_a_link_at_a_known_gap_agrees_with_weighing_the_whole_evidence()
    {
        var random = new Random(17);
        var words = Enumerable.Range(0, 400).Select(i => $"w{(char)('a' + i % 26)}{(char)('a' + i / 26 % 26)}{(char)('k' + i % 7)}").ToArray();
        string Paragraph() => string.Join(' ', Enumerable.Range(0, 45).Select(_ => words[random.Next(words.Length)]));
        string Edited(string text, double share) => string.Join(' ', text.Split(' ').Select(w => random.NextDouble() < share ? words[random.Next(words.Length)] : w));
        string[] claimants = ["Riselina Holding", "Mesnezen Holding", "Orvald Media Group", "Quist"];
        string[] domains = ["catalogue.example", "claims.example", "elsewhere.example"];
        NoticeProfile Profile(string text, int minutes) => new()
        {
            Id = Guid.NewGuid(), Platform = Platform.YouTube, SubjectType = random.Next(4) == 0 ? SubjectType.Blogger : SubjectType.Journalist,
            PolicyKey = random.Next(3) == 0 ? null : "youtube copyright policy",
            ClaimantKeys = random.Next(4) == 0 ? null : ClaimantKeys.Of(claimants[random.Next(claimants.Length)]),
            Domain = random.Next(3) == 0 ? null : domains[random.Next(domains.Length)],
            Text = text, Signature = NoticeProfile.Encode(NoticeText.Signature(text)), OccurredAt = Noon.AddMinutes(minutes),
        };
        ulong[] Shingles(NoticeProfile p) => NoticeText.Shingles(p.Text);
        var background = Counts();

        int linked = 0, byText = 0;
        for (int trial = 0; trial < 3_000; trial++)
        {
            string text = Paragraph();
            var a = Profile(text, 0);
            var b = Profile(Edited(text, random.NextDouble() * 0.6), random.Next(-60 * 24 * 8, 60 * 24 * 8));
            var gap = a.OccurredAt - b.OccurredAt;
            var evidence = Linking.Evidence(a, b, Shingles, background);
            bool expected = Linking.Links(evidence, gap);
            Assert.Equal(expected, Linking.Links(a, b, Shingles, SignalWeights.Of(a, background), gap));
            if (!expected) continue;
            linked++;
            // Linked only because of the text: the decision had to compare it.
            if (!Linking.Links(Linking.Evidence(a, b, NoShingles, background), gap)) byText++;
        }
        Assert.InRange(linked, 100, 2_900);
        Assert.InRange(byText, 20, linked - 20);
    }

    private static readonly string[] Words = Enumerable.Range(0, 400).Select(i => $"w{(char)('a' + i % 26)}{(char)('a' + i / 26 % 26)}{(char)('k' + i % 7)}").ToArray();

    private static string Paragraph(Random random, int words = 60) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));

    /// <summary>The text with this share of its words (at random places) replaced by others.</summary>
    private static string Edited(Random random, string text, double share)
    {
        var words = text.Split(' ');
        foreach (int i in Enumerable.Range(0, words.Length).OrderBy(_ => random.Next()).Take((int)Math.Round(share * words.Length)))
            words[i] = Words.Where(w => w != words[i]).ElementAt(random.Next(Words.Length - 1));
        return string.Join(' ', words);
    }

    private static NoticeProfile WithText(NoticeProfile p, string text)
    {
        p.Text = text;
        p.Signature = NoticeProfile.Encode(NoticeText.Signature(text));
        return p;
    }

    [Fact]
    public void a_copy_with_a_third_of_its_words_edited_weighs_as_similar_text()
    {
        var random = new Random(5);
        var background = Counts();
        string text = Paragraph(random);
        for (int trial = 0; trial < 20; trial++)
        {
            var a = WithText(Notice($"Name{trial} Holding", "claims.example"), text);
            var b = WithText(Notice($"Other{trial} Holding", "claims.example", 10), Edited(random, text, 1 / 3.0));
            var evidence = Linking.Evidence(a, b, p => NoticeText.Shingles(p.Text), background);
            var withoutText = Linking.Evidence(a, b, NoShingles, background);

            // A third of the (short) words edited leaves about 0.4 of the 5-shingles shared: not near-identical, still a signal.
            Assert.InRange(evidence.TextSimilarity, PairEvidence.TextThreshold, PairEvidence.NearIdentical - 1e-9);
            Assert.Equal(2.5 + 10 * (evidence.TextSimilarity - PairEvidence.TextThreshold), evidence.Weight - withoutText.Weight, 9);
            Assert.Equal(withoutText.Distinctive + 1, evidence.Distinctive);
            var said = Linking.Describe([evidence]);
            Assert.Contains("similar notice text", said);
            Assert.DoesNotContain("near-identical notice text", said);
        }
        // Two notices written apart share too little to count.
        var unrelated = Linking.Evidence(WithText(Notice("Quist", "claims.example"), text), WithText(Notice("Orvald", "claims.example", 10), Paragraph(random)),
            p => NoticeText.Shingles(p.Text), background);
        Assert.True(unrelated.TextSimilarity < PairEvidence.TextThreshold, $"similarity {unrelated.TextSimilarity:F2}");
        Assert.Equal(Linking.Evidence(WithText(Notice("Quist", "claims.example"), text), WithText(Notice("Orvald", "claims.example", 10), ""), NoShingles, background).Weight,
            unrelated.Weight, 9);
    }
}
