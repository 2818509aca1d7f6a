using System.Security.Cryptography;
using System.Text;

namespace Takedowns.Intake.Webhooks;

/// <summary>
/// Standard Webhooks v1 signatures: HMAC-SHA256 over <c>{id}.{timestamp}.{raw body}</c>, keyed with the base64-decoded
/// part of a <c>whsec_</c> secret. Written here rather than taken from a package because it must sign the raw bytes
/// (not a re-decoded string), accept unpadded secrets and try several secrets while one is being rotated.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public enum Outcome { Valid, MissingHeaders, BadTimestamp, StaleTimestamp, NoValidSignature }

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes of a secret, with or without the prefix and base64 padding.</summary>
    public static byte[] DecodeSecret(string secret)
    {
        string encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        if (encoded.Length == 0) throw new ArgumentException("A webhook secret must not be empty.", nameof(secret));
        if (encoded.Length % 4 == 1) throw new ArgumentException("A webhook secret must be base64.", nameof(secret));
        encoded = encoded.PadRight(encoded.Length + (4 - encoded.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(encoded);
        }
        catch (FormatException e)
        {
            throw new ArgumentException("A webhook secret must be base64.", nameof(secret), e);
        }
    }

    public static string Sign(string secret, string id, long timestamp, ReadOnlySpan<byte> body) =>
        "v1," + Convert.ToBase64String(Compute(DecodeSecret(secret), id, timestamp.ToString(), body));

    public static Outcome Verify(
        IEnumerable<string> secrets, string? id, string? timestamp, string? signatures, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
            return Outcome.MissingHeaders;
        if (!long.TryParse(timestamp, System.Globalization.NumberStyles.None, null, out long seconds))
            return Outcome.BadTimestamp;
        var sent = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        if ((now - sent).Duration() > Tolerance) return Outcome.StaleTimestamp;

        var candidates = new List<byte[]>();
        foreach (string entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!entry.StartsWith("v1,", StringComparison.Ordinal)) continue; // other versions are not ours to check
            var decoded = new byte[32];
            if (Convert.TryFromBase64String(entry[3..], decoded, out int written) && written == 32) candidates.Add(decoded);
        }
        if (candidates.Count == 0) return Outcome.NoValidSignature;

        foreach (string secret in secrets)
        {
            byte[] expected = Compute(DecodeSecret(secret), id, timestamp, body);
            foreach (byte[] candidate in candidates)
                if (CryptographicOperations.FixedTimeEquals(expected, candidate)) return Outcome.Valid;
        }
        return Outcome.NoValidSignature;
    }

    private static byte[] Compute(byte[] key, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        byte[] prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
