using Takedowns.Correlation.Campaigns;

namespace Takedowns.Correlation.Tests.Campaigns;

public sealed class NoticeTextTests
{
    [Fact]
    public void copies_in_another_case_alphabet_or_with_other_numbers_normalise_alike()
    {
        string latin = NoticeText.Normalise("We are the EXCLUSIVE owner of the video, see https://example.org/x?id=5 (ref. 12.03.2026).");
        Assert.Equal(latin, NoticeText.Normalise("we are the exclusive owner of the video; see www.example.net/y ref 01/01/2025"));
        // With Cyrillic look-alikes swapped in.
        Assert.Equal(latin, NoticeText.Normalise("Wе аrе thе ЕXCLUSIVE оwnеr оf thе vidео, sее https://example.org/z (rеf. 7)"));
        Assert.Equal(NoticeText.Normalise("copyright complaint"), NoticeText.Normalise("сорyright соmрlаint"));
    }

    [Fact]
    public void claimant_names_keep_an_exact_a_fuzzy_and_a_pattern_key()
    {
        var a = ClaimantKeys.Of("Zenith Media Group")!;
        var b = ClaimantKeys.Of("ZENITH  media-group")!;
        var typo = ClaimantKeys.Of("Zeniht Media Grup")!;
        var other = ClaimantKeys.Of("Borealis Media Group")!;
        Assert.Equal(a.Exact, b.Exact);
        Assert.NotEqual(a.Exact, typo.Exact);
        Assert.Equal(a.Pattern, other.Pattern);
        Assert.Null(ClaimantKeys.Of("Ivan Petrov")!.Pattern);
        Assert.Null(ClaimantKeys.Of("  "));
    }

    [Fact]
    public void names_of_three_words_or_more_share_a_pattern_with_names_that_differ_in_one_word()
    {
        // A frame filled with a different word each time, whatever words the frame is made of.
        var a = ClaimantKeys.Of("TOO «Tengri Production»")!;
        var b = ClaimantKeys.Of("TOO «Bereke Production»")!;
        Assert.Contains(a.Patterns, b.Patterns.Contains);
        Assert.Contains(ClaimantKeys.Of("Akhmetov Law LLP")!.Patterns, ClaimantKeys.Of("Sadykov Law LLP")!.Patterns.Contains);
        // Two words apart: no frame in common; a two-word name keeps only the organisation pattern, if any.
        Assert.DoesNotContain(a.Patterns, ClaimantKeys.Of("OOO «Bereke Media»")!.Patterns.Contains);
        Assert.Empty(ClaimantKeys.Of("Ivan Petrov")!.Patterns);
        // One pattern per word left open, the organisation pattern first (names are folded as texts are: "m" reads "rn").
        var zenith = ClaimantKeys.Of("Zenith Media Group")!;
        Assert.Equal(3, zenith.Patterns.Count);
        Assert.Equal(zenith.Pattern, zenith.Patterns[0]);
        Assert.All(zenith.Patterns, p => Assert.Single(p.Split(' '), w => w == "*"));
        // Keys compare by the name, whether or not their patterns were asked for.
        Assert.Equal(ClaimantKeys.Of("TOO «Tengri Production»"), a);
    }

    [Fact]
    public void accents_ligatures_and_full_width_letters_are_made_plain()
    {
        Assert.Equal(NoticeText.Normalise("file officiel creee"), NoticeText.Normalise("ﬁle oﬃciel créée"));
        Assert.Equal(NoticeText.Normalise("Strasse Lodz"), NoticeText.Normalise("Straße Łódź"));
        Assert.Equal(NoticeText.Normalise("copyright notice"), NoticeText.Normalise("ｃｏｐｙｒｉｇｈｔ ｎｏｔｉｃｅ"));
        Assert.Equal(NoticeText.Normalise("ქართული"), NoticeText.Normalise("ᲥᲐᲠᲗᲣᲚᲘ")); // other scripts lower-cased
        Assert.Equal("ქართული", NoticeText.Normalise("ქართული")); // and kept where nothing else looks like them
    }

    [Fact]
    public void jaccard_of_shingles_is_exact()
    {
        var a = NoticeText.Shingles("abcdefg"); // abcde bcdef cdefg
        var b = NoticeText.Shingles("abcdefh"); // abcde bcdef cdefh
        Assert.Equal(2.0 / 4, NoticeText.Jaccard(a, b), 10);
        Assert.Equal(1, NoticeText.Jaccard(a, a));
        Assert.Equal(0, NoticeText.Jaccard(a, []));
        Assert.Single(NoticeText.Shingles("aaaaaaaaaa")); // a set: six equal shingles are one
    }

    [Fact]
    public void jaccard_of_sorted_sets_equals_the_share_of_common_elements()
    {
        var random = new Random(11);
        for (int trial = 0; trial < 200; trial++)
        {
            // Small values: many in common, including at either end.
            var a = Enumerable.Range(0, random.Next(1, 60)).Select(_ => (ulong)random.Next(0, 80)).Distinct().Order().ToArray();
            var b = Enumerable.Range(0, random.Next(1, 60)).Select(_ => (ulong)random.Next(0, 80)).Distinct().Order().ToArray();
            double expected = (double)a.Intersect(b).Count() / a.Union(b).Count();
            Assert.Equal(expected, NoticeText.Jaccard(a, b), 12);
        }
    }
}
