using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;

namespace Takedowns.Intake.Reports;

/// <summary>How to reach the person who reported: personal data. Never in logs, bus messages or public outputs.</summary>
public sealed record ReporterContact(string? Name, string? Email, string? Phone, string? Messenger)
{
    public bool IsEmpty => Name is null && Email is null && Phone is null && Messenger is null;
}

/// <summary>Contact data sealed with AES-256-GCM under the report's own key. Safe to keep in the event history.</summary>
public sealed record SealedContact(string Nonce, string Ciphertext, string Tag);

/// <summary>
/// The per-report key, kept as a document apart from the events, wrapped by a key outside the database
/// (<see cref="ReporterKeys"/>). Deleting it is erasure (crypto-shredding): the sealed copy in the history stays,
/// unreadable, and projections still rebuild.
/// </summary>
public sealed record ReporterKey(Guid Id, string Key);

public static class ReporterVault
{
    private static byte[] AssociatedData(Guid reportId) => Encoding.UTF8.GetBytes($"takedowns:reporter-contact:{reportId:N}");

    public static (SealedContact Sealed, ReporterKey Key) Seal(Guid reportId, ReporterContact contact, ReporterKeys keys)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        byte[] plaintext = JsonSerializer.SerializeToUtf8Bytes(contact);
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(key, tag.Length))
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(reportId));
        CryptographicOperations.ZeroMemory(plaintext);
        var wrapped = new ReporterKey(reportId, keys.Wrap(reportId, key));
        CryptographicOperations.ZeroMemory(key);
        return (new SealedContact(Convert.ToBase64String(nonce), Convert.ToBase64String(ciphertext), Convert.ToBase64String(tag)), wrapped);
    }

    public static ReporterContact Open(Guid reportId, SealedContact sealedContact, ReporterKey key, ReporterKeys keys)
    {
        byte[] ciphertext = Convert.FromBase64String(sealedContact.Ciphertext);
        byte[] plaintext = new byte[ciphertext.Length];
        byte[] tag = Convert.FromBase64String(sealedContact.Tag);
        byte[] contactKey = keys.Unwrap(reportId, key.Key);
        using (var aes = new AesGcm(contactKey, tag.Length))
            aes.Decrypt(Convert.FromBase64String(sealedContact.Nonce), ciphertext, tag, plaintext, AssociatedData(reportId));
        CryptographicOperations.ZeroMemory(contactKey);
        return JsonSerializer.Deserialize<ReporterContact>(plaintext)!;
    }

    /// <summary>The contact data of a report, or null when there is none or it was erased.</summary>
    public static async Task<ReporterContact?> ReadAsync(IQuerySession session, Report report, ReporterKeys keys, CancellationToken ct)
    {
        if (report.ReporterContact is null) return null;
        var key = await session.LoadAsync<ReporterKey>(report.Id, ct);
        return key is null ? null : Open(report.Id, report.ReporterContact, key, keys);
    }
}
