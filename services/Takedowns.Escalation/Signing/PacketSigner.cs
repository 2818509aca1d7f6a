using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Takedowns.Escalation.Signing;

/// <summary>
/// Signs finalised packets: a JSON Web Signature (RFC 7515) with ES256 (ECDSA on P-256 with SHA-256), its payload
/// detached (appendix F: <c>header..signature</c>), over the exact bytes a packet version is served as. The private key
/// comes from configuration (<see cref="Setting"/>: a PKCS#8 P-256 key, base64), never from the database, so a copy of
/// the database cannot sign. Its public half is published as a JWK Set (<c>GET /api/escalations/keys</c>), named by
/// its RFC 7638 thumbprint, so a platform checks a packet with any JOSE library.
/// </summary>
public sealed class PacketSigner : IDisposable
{
    public const string Setting = "TAKEDOWNS_SIGNING_KEY";

    private readonly ECDsa _key;

    public PacketSigner(ECDsa key)
    {
        if (key.KeySize != 256) throw new ArgumentException("The signing key must be a P-256 key.", nameof(key));
        _key = key;
        var p = key.ExportParameters(includePrivateParameters: false);
        (X, Y) = (Base64Url(p.Q.X!), Base64Url(p.Q.Y!));
        // RFC 7638: the SHA-256 of the required members in lexicographic order, without whitespace.
        KeyId = Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"P-256","kty":"EC","x":"{{X}}","y":"{{Y}}"}""")));
    }

    /// <summary>The key from <see cref="Setting"/>; the service does not start without one.</summary>
    public static PacketSigner FromConfiguration(IConfiguration configuration)
    {
        string encoded = configuration[Setting] is { Length: > 0 } value ? value
            : throw new InvalidOperationException($"{Setting} is not set: a PKCS#8 P-256 private key, base64 (infra/run keeps one in .data/signing.key).");
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(Convert.FromBase64String(encoded), out _);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{Setting} is not a base64 PKCS#8 private key.", e);
        }
        return new PacketSigner(key);
    }

    public string KeyId { get; }
    private string X { get; }
    private string Y { get; }

    /// <summary>The public key as a JWK Set.</summary>
    public object Jwks => new { keys = new[] { new { kty = "EC", crv = "P-256", x = X, y = Y, use = "sig", alg = "ES256", kid = KeyId } } };

    /// <summary>A compact JWS over <paramref name="payload"/> with the payload left out: <c>header..signature</c>.</summary>
    public string SignDetached(ReadOnlySpan<byte> payload)
    {
        string header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "ES256", kid = KeyId }));
        string input = header + "." + Base64Url(payload);
        // JWS wants the signature as R and S concatenated (IEEE P1363), not DER.
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return header + ".." + Base64Url(signature);
    }

    /// <summary>Whether <paramref name="jws"/> is this key's detached signature of <paramref name="payload"/>.</summary>
    public bool Verify(string jws, ReadOnlySpan<byte> payload)
    {
        string[] parts = jws.Split('.');
        if (parts.Length != 3 || parts[1].Length != 0) return false;
        byte[] signature;
        try { signature = Base64UrlDecode(parts[2]); }
        catch (FormatException) { return false; }
        string input = parts[0] + "." + Base64Url(payload);
        return _key.VerifyData(Encoding.ASCII.GetBytes(input), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[] Base64UrlDecode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);

    public void Dispose() => _key.Dispose();
}
