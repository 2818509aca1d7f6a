using Takedowns.Correlation.Campaigns;

namespace Takedowns.Correlation.Tests.Campaigns;

public sealed class MinHashTests
{
    /// <summary>Two sets of exactly this Jaccard similarity, of distinct random elements.</summary>
    private static (HashSet<ulong>, HashSet<ulong>) PairAt(double similarity, Random random, int union = 400)
    {
        int common = (int)Math.Round(similarity * union), each = (union - common) / 2;
        var shared = Enumerable.Range(0, common).Select(_ => (ulong)random.NextInt64()).ToList();
        var a = shared.Concat(Enumerable.Range(0, each).Select(_ => (ulong)random.NextInt64())).ToHashSet();
        var b = shared.Concat(Enumerable.Range(0, each).Select(_ => (ulong)random.NextInt64())).ToHashSet();
        return (a, b);
    }

    [Theory]
    [InlineData(0.2, 400)]
    [InlineData(0.3, 400)]
    [InlineData(0.45, 400)]
    [InlineData(0.5, 400)]
    [InlineData(0.6, 400)]
    [InlineData(0.8, 400)]
    [InlineData(0.3, 40)] // fewer elements than bins: most bins borrowed
    [InlineData(0.5, 40)]
    [InlineData(0.8, 40)]
    public void pairs_become_candidates_as_often_as_the_banding_curve_says(double similarity, int union)
    {
        var random = new Random(42);
        const int trials = 600;
        int candidates = 0;
        double estimate = 0;
        for (int i = 0; i < trials; i++)
        {
            var (a, b) = PairAt(similarity, random, union);
            var sa = MinHash.Signature(a.ToArray())!;
            var sb = MinHash.Signature(b.ToArray())!;
            if (MinHash.BandKeys(sa).Intersect(MinHash.BandKeys(sb)).Any()) candidates++;
            estimate += MinHash.Similarity(sa, sb);
        }
        double expected = MinHash.CandidateProbability(similarity);
        double rate = (double)candidates / trials;
        // Within four binomial standard errors of 1 - (1 - s^r)^b.
        double tolerance = 4 * Math.Sqrt(expected * (1 - expected) / trials) + 0.01;
        Assert.InRange(rate, expected - tolerance, expected + tolerance);
        Assert.InRange(estimate / trials, similarity - 0.02, similarity + 0.02);
    }

    [Fact]
    public void pairs_at_the_link_threshold_are_found_most_of_the_time()
    {
        Assert.True(MinHash.CandidateProbability(0.5) >= 0.85);
        Assert.True(MinHash.CandidateProbability(0.2) <= 0.06);
    }

    [Fact]
    public void an_empty_set_has_no_signature() => Assert.Null(MinHash.Signature([]));
}
