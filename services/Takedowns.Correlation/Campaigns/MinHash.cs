using System.Runtime.Intrinsics;

namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// MinHash signatures of shingle sets and locality-sensitive hashing in bands. Two sets of Jaccard similarity s agree on
/// each of the <see cref="Hashes"/> minimums with probability s, and share at least one of <see cref="Bands"/> bands of
/// <see cref="Rows"/> rows with probability 1 - (1 - s^r)^b: with 32 bands of 4 rows, 87 % of the pairs at s = 0.5
/// (the link threshold) and nearly all above 0.6 become candidates, a quarter at 0.3 and 5 % at 0.2.
/// The signature is one-permutation hashing with optimal densification (Shrivastava, ICML 2017): each element is hashed
/// once into one of the bins and each bin keeps its minimum; an empty bin borrows the minimum of the first non-empty bin
/// on its own fixed probe sequence, which keeps the chance that two sets agree on a bin equal to their similarity.
/// </summary>
public static class MinHash
{
    public const int Hashes = 128;
    public const int Bands = 32;
    public const int Rows = 4;

    /// <summary>A 64-bit finaliser (MurmurHash3's): every output bit depends on every input bit.</summary>
    internal static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    /// <summary>The signature of a set (repeats change nothing): per bin, the smallest value in it. Null for an empty set.</summary>
    public static uint[]? Signature(ReadOnlySpan<ulong> shingles)
    {
        if (shingles.Length == 0) return null;
        var signature = new uint[Hashes];
        Array.Fill(signature, uint.MaxValue);
        Span<bool> filled = stackalloc bool[Hashes];
        filled.Clear();
        foreach (ulong s in shingles)
        {
            ulong h = Mix(s ^ 0x9e3779b97f4a7c15UL);
            int bin = (int)(h % Hashes);
            uint value = (uint)(h >> 32);
            filled[bin] = true;
            if (value < signature[bin]) signature[bin] = value;
        }
        Span<uint> own = stackalloc uint[Hashes];
        signature.CopyTo(own);
        for (int bin = 0; bin < Hashes; bin++)
        {
            if (filled[bin]) continue;
            for (ulong attempt = 1; ; attempt++)
            {
                int from = (int)(Mix(((ulong)bin << 32) | attempt) % Hashes);
                if (filled[from])
                {
                    signature[bin] = own[from];
                    break;
                }
            }
        }
        return signature;
    }

    /// <summary>The share of agreeing minimums: an estimate of the Jaccard similarity.</summary>
    public static double Similarity(uint[] a, uint[] b)
    {
        var count = Vector256<uint>.Zero;
        for (int i = 0; i < Hashes; i += Vector256<uint>.Count)
            count -= Vector256.Equals(Vector256.Create(a, i), Vector256.Create(b, i)); // an equal lane is all bits set: -1
        return (double)Vector256.Sum(count) / Hashes;
    }

    /// <summary>One 64-bit key per band (the band's number is hashed in, so equal rows in two bands differ): sets sharing a key are candidates.</summary>
    public static IEnumerable<long> BandKeys(uint[] signature)
    {
        for (int band = 0; band < Bands; band++)
        {
            ulong h = Mix(1469598103934665603UL ^ (ulong)band);
            for (int r = 0; r < Rows; r++) h = Mix(h ^ signature[band * Rows + r]) + (ulong)r;
            yield return (long)h;
        }
    }

    /// <summary>The chance that two sets of similarity <paramref name="s"/> share a band.</summary>
    public static double CandidateProbability(double s) => 1 - Math.Pow(1 - Math.Pow(s, Rows), Bands);
}
