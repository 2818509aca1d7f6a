using System.Text.Json;

namespace Takedowns.Testing;

/// <summary>Report bodies for tests. Every name here is made up.</summary>
public static class SampleReports
{
    public static string Body(
        string country = "KZ", string platform = "youtube", string category = "intellectual_property",
        string occurredAt = "2026-11-20", string? handle = null, string action = "account_suspended") =>
        JsonSerializer.Serialize(new
        {
            platform,
            account = new { handle = handle ?? "@channel_" + Guid.NewGuid().ToString("N")[..8] },
            subjectType = "independent_media",
            country,
            action,
            ground = new { category, claimant = "Example Rights Agency", noticeText = "We have received a complaint." },
            occurredAt,
        });
}
