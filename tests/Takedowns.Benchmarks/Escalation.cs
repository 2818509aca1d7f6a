using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Benchmarks;

/// <summary>
/// Drafting packets through the gateway with everything running: an organisation's reports of 100 accounts (each
/// allowing escalation to the platform) reach Escalation as cases, then packets of all of them are drafted, read and
/// finalised, one after the other; each step is timed from the client (request sent to answer read).
/// </summary>
public static class EscalationPackets
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(int accounts, int rounds)
    {
        var system = new RunningSystem();
        await system.InitializeAsync();
        try
        {
            using var admin = system.Client(RunningSystem.AdminKey);
            var org = await (await admin.PostAsJsonAsync("/api/admin/organisations", new { name = "Escalation benchmark" })).Content.ReadFromJsonAsync<JsonElement>();
            Guid orgId = org.GetProperty("organisationId").GetGuid();
            using var reporter = system.Client(org.GetProperty("apiKey").GetString());
            var issued = await (await admin.PostAsJsonAsync($"/api/admin/organisations/{orgId}/api-keys", new { roles = new[] { "escalation" } })).Content.ReadFromJsonAsync<JsonElement>();
            using var escalation = system.Client(issued.GetProperty("apiKey").GetString());

            var reportIds = new List<Guid>();
            for (int i = 0; i < accounts; i++)
            {
                string body = JsonSerializer.Serialize(new
                {
                    platform = "youtube", account = new { handle = $"@channel_{i}", url = $"https://youtube.com/@channel_{i}" }, subjectType = "journalist",
                    country = i % 2 == 0 ? "KZ" : "FR", language = "ru", audienceSize = 1000 + i, action = "account_suspended",
                    ground = new { category = i % 3 == 0 ? "intellectual_property" : "community_standards", claimant = "Example Rights Agency",
                        noticeText = "We received a complaint about your channel and suspended it under our policies.", complaintsCount = 10 + i },
                    occurredAt = DateTime.UtcNow.AddDays(-(i % 20) - 1).ToString("yyyy-MM-dd", C),
                    consent = new { network = true, platform = true, publicStatistics = true },
                });
                var request = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                using var response = await reporter.SendAsync(request);
                response.EnsureSuccessStatusCode();
                reportIds.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reportId").GetGuid());
            }
            // Every case and the key have reached Escalation once a draft of them all is accepted.
            await Eventually.Until(async () =>
            {
                using var r = await escalation.PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds });
                return (int)r.StatusCode;
            }, s => s == 201, TimeSpan.FromMinutes(2), "the cases and the key to reach Escalation");

            var draft = new List<double>(); var read = new List<double>(); var finalise = new List<double>(); var pdf = new List<double>();
            long bytes = 0, pdfBytes = 0;
            for (int round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                using var created = await escalation.PostAsJsonAsync("/api/escalations", new { platform = "youtube", reportIds, ask = "Restore these channels." });
                Guid packetId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("packetId").GetGuid();
                draft.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                byte[] packet = await escalation.GetByteArrayAsync($"/api/escalations/{packetId}");
                read.Add(clock.Elapsed.TotalMilliseconds);
                bytes = packet.Length;
                if (JsonDocument.Parse(packet).RootElement.GetProperty("accounts").GetArrayLength() != accounts)
                    throw new InvalidOperationException("The packet does not hold every account.");
                clock.Restart();
                using var finalised = await escalation.PostAsync($"/api/escalations/{packetId}/finalise", null);
                finalised.EnsureSuccessStatusCode();
                finalise.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                byte[] printed = await escalation.GetByteArrayAsync($"/api/escalations/{packetId}.pdf?version=1");
                pdf.Add(clock.Elapsed.TotalMilliseconds);
                pdfBytes = printed.Length;
            }
            static string Row(string what, List<double> ms)
            {
                var s = ms.Order().ToArray();
                return string.Create(C, $"| {what} | {s[s.Length / 2]:F0} ms | {s[(int)(s.Length * 0.9)]:F0} ms | {s[^1]:F0} ms |");
            }
            Console.WriteLine(string.Create(C, $"Packets of {accounts} accounts, {rounds} rounds, through the gateway (the packet's JSON: {bytes:N0} bytes):"));
            Console.WriteLine("| step | median | p90 | max |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine(Row("draft (POST /api/escalations)", draft));
            Console.WriteLine(Row("read the draft (GET, content built from the cases)", read));
            Console.WriteLine(Row("finalise (build, hash, sign, store)", finalise));
            Console.WriteLine(Row(string.Create(C, $"the finalised version as PDF ({pdfBytes:N0} bytes)"), pdf));
            return 0;
        }
        finally
        {
            await system.DisposeAsync();
        }
    }
}
