using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Contracts;
using Takedowns.Contracts.Escalation;
using Takedowns.Testing;

namespace Takedowns.Publishing.Tests.Restoration;

/// <summary>
/// Outcomes recorded on escalation packets become public restoration figures per platform and ground: only for reports
/// counted publicly, only for groups of at least k answers, the latest recording of a report winning.
/// </summary>
public sealed class PublicRestorationTests(ServiceHost<Program> host) : IClassFixture<ServiceHost<Program>>
{
    private Task PublishAsync<T>(T message) where T : class => Delivery.UntilDeliveredAsync(host.Services.GetRequiredService<MassTransit.IBus>(), message);

    private async Task<JsonElement> ItemsAsync() => (await host.CreateClient().GetFromJsonAsync<JsonElement>("/api/public/restoration")).GetProperty("items");

    [Fact]
    public async Task restoration_shows_groups_of_at_least_k_answers_from_public_reports_only()
    {
        var day = new DateOnly(2021, 3, 1);
        var telegram = Enumerable.Range(0, 6).Select(_ => Submissions.Report("TJ", Platform.Telegram, GroundCategory.Spam, day)).ToList();
        var hidden = Submissions.Report("TJ", Platform.Telegram, GroundCategory.Spam, day, publicStatistics: false);
        var few = Enumerable.Range(0, 4).Select(_ => Submissions.Report("TJ", Platform.Facebook, GroundCategory.Spam, day)).ToList();
        foreach (var r in telegram.Append(hidden).Concat(few)) await Submissions.PublishAsync(host.Services, r);
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);

        var recorded = new DateTimeOffset(2021, 4, 1, 0, 0, 0, TimeSpan.Zero);
        // Restored after 10, 12, 20 and 30 days, one partly after 14, one upheld; the hidden report restored too.
        int[] days = [10, 12, 20, 30];
        var outcomes = telegram.Take(4).Select((r, i) => new RemedyOutcome(r.ReportId, "restored", day.AddDays(days[i])))
            .Append(new RemedyOutcome(telegram[4].ReportId, "partially_restored", day.AddDays(14)))
            .Append(new RemedyOutcome(telegram[5].ReportId, "upheld", day.AddDays(9)))
            .Append(new RemedyOutcome(hidden.ReportId, "restored", day.AddDays(1)))
            .Concat(few.Select(r => new RemedyOutcome(r.ReportId, "restored", day.AddDays(3))))
            .ToList();
        var message = new RemedyOutcomes(Guid.NewGuid(), Platform.Telegram, null, outcomes, recorded);
        await PublishAsync(message);
        // An older recording arriving late changes nothing.
        await PublishAsync(message with { Outcomes = [new RemedyOutcome(telegram[0].ReportId, "upheld", day.AddDays(2))], RecordedAt = recorded.AddDays(-5) });

        var items = await Eventually.Until(ItemsAsync, i => i.GetArrayLength() == 1 && i[0].GetProperty("answered").GetInt32() == 6, what: "the restoration figures");
        await Queues.WaitUntilDrainedAsync(host.VirtualHost);
        items = await ItemsAsync();
        var row = Assert.Single(items.EnumerateArray());
        Assert.Equal("telegram", row.GetProperty("platform").GetString());
        Assert.Equal("spam", row.GetProperty("category").GetString());
        Assert.Equal(6, row.GetProperty("answered").GetInt32()); // not the hidden report's
        Assert.Equal(0.833, row.GetProperty("restoredShare").GetDouble());
        Assert.Equal(14, row.GetProperty("medianDaysToRestore").GetDouble()); // of 10, 12, 14, 20, 30
        Assert.DoesNotContain("facebook", items.GetRawText()); // 4 answers: below k
    }
}
