namespace Takedowns.Correlation.Campaigns;

/// <summary>
/// MinHash signatures of shingle sets and locality-sensitive hashing in bands. Two sets of Jaccard similarity s agree on
/// each of the <see cref="Hashes"/> minimums with probability s, and share at least one of <see cref="Bands"/> bands of
/// <see cref="Rows"/> rows with probability 1 - (1 - s^r)^b: with 32 bands of 4 rows, 87 % of the pairs at s = 0.5
/// (the link threshold) and nearly all above 0.6 become candidates, a quarter at 0.3 and 5 % at 0.2.
/// </summary>
public static class MinHash
{
    public const int Hashes = 128;
    public const int Bands = 32;
    public const int Rows = 4;

    // Hash functions h_i(x) = a_i * x + b_i (mod 2^64) over the 64-bit shingle hash, then mixed; a and b fixed once, odd a.
    private static readonly (ulong A, ulong B)[] Functions = MakeFunctions();

    private static (ulong, ulong)[] MakeFunctions()
    {
        var random = new Random(20261128);
        var functions = new (ulong, ulong)[Hashes];
        for (int i = 0; i < Hashes; i++) functions[i] = ((ulong)random.NextInt64() | 1UL, (ulong)random.NextInt64());
        return functions;
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    /// <summary>The signature of a set: per hash function, the smallest value over the set. Null for an empty set.</summary>
    public static uint[]? Signature(IReadOnlyCollection<ulong> shingles)
    {
        if (shingles.Count == 0) return null;
        var signature = new uint[Hashes];
        Array.Fill(signature, uint.MaxValue);
        foreach (ulong s in shingles)
            for (int i = 0; i < Hashes; i++)
            {
                uint h = (uint)(Mix(Functions[i].A * s + Functions[i].B) >> 32);
                if (h < signature[i]) signature[i] = h;
            }
        return signature;
    }

    /// <summary>The share of agreeing minimums: an estimate of the Jaccard similarity.</summary>
    public static double Similarity(uint[] a, uint[] b)
    {
        int same = 0;
        for (int i = 0; i < Hashes; i++) if (a[i] == b[i]) same++;
        return (double)same / Hashes;
    }

    /// <summary>One key per band: sets sharing a key are candidates.</summary>
    public static IEnumerable<string> BandKeys(uint[] signature)
    {
        for (int band = 0; band < Bands; band++)
        {
            ulong h = 1469598103934665603UL;
            for (int r = 0; r < Rows; r++) h = Mix(h ^ signature[band * Rows + r]) + (ulong)r;
            yield return $"t{band}:{h:x16}";
        }
    }

    /// <summary>The chance that two sets of similarity <paramref name="s"/> share a band.</summary>
    public static double CandidateProbability(double s) => 1 - Math.Pow(1 - Math.Pow(s, Rows), Bands);
}
