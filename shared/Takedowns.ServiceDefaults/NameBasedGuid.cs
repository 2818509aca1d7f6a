using System.Security.Cryptography;
using System.Text;

namespace Takedowns.ServiceDefaults;

/// <summary>Name-based UUIDs (RFC 9562 version 8, from SHA-256): the same name always gives the same id.</summary>
public static class NameBasedGuid
{
    public static Guid Create(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The incident a report starts when no earlier report of the same takedown exists.</summary>
    public static Guid IncidentOf(Guid firstReportId) => Create($"incident:{firstReportId:N}");
}
