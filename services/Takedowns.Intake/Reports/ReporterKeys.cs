using System.Security.Cryptography;
using Marten;
using System.Text;

namespace Takedowns.Intake.Reports;

/// <summary>
/// Wraps each report's own contact key (<see cref="ReporterKey"/>) with a key-encryption key kept outside the database,
/// so that a copy of the database alone (a dump, a stolen disk) opens no contact data. The keys come from configuration:
/// <c>TAKEDOWNS_REPORTER_KEYS</c>, base64 keys of 32 bytes separated by commas, the first wrapping and every one
/// unwrapping, then one derived from <c>TAKEDOWNS_SECRETS_KEY</c> (HKDF-SHA256), which wraps when no other is set.
/// Rotation: put a new key first, keep the old ones after it, call <c>POST /api/admin/reporter-keys/rewrap</c>, then drop
/// the old ones. A wrapped key reads <c>w1:&lt;id of its key&gt;:&lt;base64 nonce, tag, ciphertext&gt;</c>, bound to its report;
/// one stored before wrapping (plain base64) is still read, and rewrapped by the same route.
/// </summary>
public sealed class ReporterKeys
{
    public const string Setting = "TAKEDOWNS_REPORTER_KEYS";
    private const string Version = "w1:";
    private readonly List<(string Id, byte[] Key)> _keys = [];

    public ReporterKeys(IConfiguration configuration)
    {
        foreach (string part in (configuration[Setting] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            byte[]? key = null;
            try { key = Convert.FromBase64String(part); } catch (FormatException) { }
            if (key is not { Length: 32 }) throw new InvalidOperationException($"{Setting} must be base64 keys of 32 bytes, separated by commas.");
            _keys.Add((IdOf(key), key));
        }
        var secrets = new Webhooks.SecretProtector(configuration).KeyMaterial;
        byte[] derived = HKDF.DeriveKey(HashAlgorithmName.SHA256, secrets, 32, info: "takedowns:reporter-key-wrapping"u8.ToArray());
        _keys.Add((IdOf(derived), derived));
    }

    /// <summary>The id of the key that wraps new keys.</summary>
    public string CurrentId => _keys[0].Id;

    private static string IdOf(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 4));

    private static byte[] AssociatedData(Guid reportId) => Encoding.UTF8.GetBytes($"takedowns:reporter-key:{reportId:N}");

    public string Wrap(Guid reportId, ReadOnlySpan<byte> key)
    {
        var (id, kek) = _keys[0];
        byte[] nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        byte[] sealedBytes = new byte[nonce.Length + AesGcm.TagByteSizes.MaxSize + key.Length];
        using (var aes = new AesGcm(kek, AesGcm.TagByteSizes.MaxSize))
            aes.Encrypt(nonce, key, sealedBytes.AsSpan(nonce.Length + AesGcm.TagByteSizes.MaxSize),
                sealedBytes.AsSpan(nonce.Length, AesGcm.TagByteSizes.MaxSize), AssociatedData(reportId));
        nonce.CopyTo(sealedBytes, 0);
        return $"{Version}{id}:{Convert.ToBase64String(sealedBytes)}";
    }

    /// <summary>The report's contact key; throws <see cref="CryptographicException"/> when no configured key wrapped it.</summary>
    public byte[] Unwrap(Guid reportId, string stored)
    {
        if (!stored.StartsWith(Version, StringComparison.Ordinal)) return Convert.FromBase64String(stored); // from before wrapping
        string[] parts = stored.Split(':');
        if (parts.Length != 3) throw new CryptographicException("Not a wrapped reporter key.");
        var kek = _keys.FirstOrDefault(k => k.Id == parts[1]).Key
                  ?? throw new CryptographicException($"The key {parts[1]} that wrapped this reporter key is not configured.");
        byte[] sealedBytes = Convert.FromBase64String(parts[2]);
        int nonce = AesGcm.NonceByteSizes.MaxSize, tag = AesGcm.TagByteSizes.MaxSize;
        byte[] key = new byte[sealedBytes.Length - nonce - tag];
        using (var aes = new AesGcm(kek, tag))
            aes.Decrypt(sealedBytes.AsSpan(0, nonce), sealedBytes.AsSpan(nonce + tag), sealedBytes.AsSpan(nonce, tag), key, AssociatedData(reportId));
        return key;
    }

    /// <summary>Whether <paramref name="stored"/> is wrapped by the current key (nothing for a rewrap to do).</summary>
    public bool IsCurrent(string stored) => stored.StartsWith($"{Version}{CurrentId}:", StringComparison.Ordinal);
}

/// <summary>What a rewrap did: every reporter key, those wrapped anew, and those no configured key could open.</summary>
public sealed record RewrapResult(int Total, int Rewrapped, int Unreadable);

public static class ReporterKeyEndpoints
{
    public static void MapReporterKeys(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/admin/reporter-keys/rewrap", async (IDocumentStore store, ReporterKeys keys, CancellationToken ct) =>
                Results.Ok(await RewrapAsync(store, keys, ct)))
            .RequireAuthorization(Takedowns.ServiceDefaults.Roles.Admin)
            .WithName("RewrapReporterKeys")
            .WithTags("Administration")
            .WithSummary("Wrap every report's contact key with the current key-encryption key (after a rotation)")
            .Produces<RewrapResult>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    /// <summary>
    /// Rewraps page by page. Each key is replaced only if it is still what was read: a key erased meanwhile stays erased,
    /// never written back.
    /// </summary>
    public static async Task<RewrapResult> RewrapAsync(IDocumentStore store, ReporterKeys keys, CancellationToken ct)
    {
        string table = store.Options.FindOrResolveDocumentType(typeof(ReporterKey)).TableName.QualifiedName;
        var serializer = store.Options.Serializer();
        int total = 0, rewrapped = 0, unreadable = 0;
        var after = Guid.Empty;
        while (true)
        {
            await using var session = store.LightweightSession();
            var page = await session.Query<ReporterKey>().Where(k => k.Id.CompareTo(after) > 0).OrderBy(k => k.Id).Take(1000).ToListAsync(ct);
            if (page.Count == 0) break;
            after = page[^1].Id;
            total += page.Count;
            foreach (var key in page.Where(k => !keys.IsCurrent(k.Key)))
            {
                byte[] contactKey;
                try
                {
                    contactKey = keys.Unwrap(key.Id, key.Key);
                }
                catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException)
                {
                    unreadable++;
                    continue;
                }
                var replaced = key with { Key = keys.Wrap(key.Id, contactKey) };
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(contactKey);
                session.QueueSqlCommand($"update {table} set data = ?::jsonb where id = ? and data->>'key' = ?",
                    serializer.ToJson(replaced), key.Id, key.Key);
                rewrapped++;
            }
            await session.SaveChangesAsync(ct);
        }
        return new RewrapResult(total, rewrapped, unreadable);
    }
}
