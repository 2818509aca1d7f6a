using System.Security.Cryptography;
using System.Text;

namespace Takedowns.Intake.Webhooks;

/// <summary>
/// Webhook signing secrets must be readable to check signatures, so they cannot be hashed like API keys. They are kept
/// encrypted (AES-256-GCM, bound to their source) under a key from configuration (<c>TAKEDOWNS_SECRETS_KEY</c>, 32
/// random bytes in base64), which lives outside the database: a copy of the database alone reveals no secret.
/// </summary>
public sealed class SecretProtector
{
    public const string Setting = "TAKEDOWNS_SECRETS_KEY";
    private const string Version = "v1:";
    private readonly byte[] _key;

    public SecretProtector(IConfiguration configuration)
    {
        string? configured = configuration[Setting];
        byte[]? key = null;
        try
        {
            if (!string.IsNullOrWhiteSpace(configured)) key = Convert.FromBase64String(configured.Trim());
        }
        catch (FormatException)
        {
            key = null;
        }
        if (key is not { Length: 32 })
            throw new InvalidOperationException(
                $"{Setting} must be 32 random bytes in base64 (infra/run keeps one in .data/secrets.key; `head -c 32 /dev/urandom | base64` makes one).");
        _key = key;
    }

    /// <summary>The configured key, for keys derived from it for other purposes (never used as it is elsewhere).</summary>
    internal byte[] KeyMaterial => _key;

    public string Protect(Guid sourceId, string secret)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        byte[] plaintext = Encoding.UTF8.GetBytes(secret);
        byte[] sealedBytes = new byte[nonce.Length + AesGcm.TagByteSizes.MaxSize + plaintext.Length];
        using (var aes = new AesGcm(_key, AesGcm.TagByteSizes.MaxSize))
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(nonce.Length + AesGcm.TagByteSizes.MaxSize),
                sealedBytes.AsSpan(nonce.Length, AesGcm.TagByteSizes.MaxSize), sourceId.ToByteArray());
        nonce.CopyTo(sealedBytes, 0);
        return Version + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The secrets that can be read; one that cannot (another key, or stored before encryption) verifies nothing.</summary>
    public IEnumerable<string> UnprotectAll(Guid sourceId, IEnumerable<string> stored)
    {
        foreach (string s in stored)
        {
            string? secret;
            try
            {
                secret = Unprotect(sourceId, s);
            }
            catch (Exception e) when (e is CryptographicException or FormatException)
            {
                secret = null; // such a source needs a new secret: rotate it
            }
            if (secret is not null) yield return secret;
        }
    }

    public string Unprotect(Guid sourceId, string stored)
    {
        if (!stored.StartsWith(Version, StringComparison.Ordinal)) throw new CryptographicException("Not a protected secret.");
        byte[] sealedBytes = Convert.FromBase64String(stored[Version.Length..]);
        int nonce = AesGcm.NonceByteSizes.MaxSize, tag = AesGcm.TagByteSizes.MaxSize;
        byte[] plaintext = new byte[sealedBytes.Length - nonce - tag];
        using (var aes = new AesGcm(_key, tag))
            aes.Decrypt(sealedBytes.AsSpan(0, nonce), sealedBytes.AsSpan(nonce + tag), sealedBytes.AsSpan(nonce, tag), plaintext, sourceId.ToByteArray());
        return Encoding.UTF8.GetString(plaintext);
    }
}
