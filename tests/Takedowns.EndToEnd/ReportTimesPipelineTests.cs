using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using Takedowns.Testing;

namespace Takedowns.EndToEnd;

/// <summary>
/// Valid reports with every form of time a reporter may send, through every way into Intake, reach every projection and
/// subscription downstream: no form of time may stall a consumer (PostgreSQL takes UTC times only).
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ReportTimesPipelineTests(RunningSystem system)
{
    // A country no other test of the running system reports in, so that its counts are this test's alone.
    private const string Country = "NP";
    private const string DateTimeFormat = "yyyy-MM-ddTHH:mm:ss";

    private readonly Steps _steps = new(system);

    private enum Channel { Rest, Webhook, Ndjson, Csv }

    /// <summary>One report's times as sent, and the day it must be counted on (the UTC day of a time; a date as given).</summary>
    private sealed record Times(string OccurredAt, string? NoticedAt, DateOnly Day);

    private sealed record Sent(string ExternalId, Channel Channel, Times Times, string Notice);

    private static string Offset(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private static string Format(DateTimeOffset utc, TimeSpan? offset) => offset is { } o
        ? utc.ToOffset(o).ToString(DateTimeFormat, CultureInfo.InvariantCulture) + Offset(o)
        : utc.UtcDateTime.ToString(DateTimeFormat, CultureInfo.InvariantCulture) + "Z";

    /// <summary>Offsets in use: every quarter hour from -12:00 to +14:00, Nepal's +05:45 and India's +05:30 among them; null is Z.</summary>
    private static readonly Gen<TimeSpan?> Offsets = Gen.Frequency(
        (1, Gen.Const((TimeSpan?)null)),
        (1, Gen.OneOf<TimeSpan?>(TimeSpan.FromHours(-12), TimeSpan.FromHours(14), new TimeSpan(5, 45, 0), new TimeSpan(5, 30, 0), TimeSpan.FromHours(5), TimeSpan.Zero)),
        (3, Gen.Int[-12 * 4, 14 * 4].Select(q => (TimeSpan?)TimeSpan.FromMinutes(15 * q))));

    /// <summary>Instants from 2000-01-01 (UTC) to a few minutes ago, with the far past, leap days and the last two days favoured.</summary>
    private static Gen<DateTimeOffset> Instants(DateTimeOffset now)
    {
        DateTimeOffset Utc(int y, int m, int d) => new(y, m, d, 0, 0, 0, TimeSpan.Zero);
        Gen<DateTimeOffset> Between(DateTimeOffset from, DateTimeOffset to) =>
            Gen.Long[from.UtcTicks / TimeSpan.TicksPerSecond, to.UtcTicks / TimeSpan.TicksPerSecond].Select(s => new DateTimeOffset(s * TimeSpan.TicksPerSecond, TimeSpan.Zero));
        return Gen.Frequency(
            (2, Between(Utc(2000, 1, 1), Utc(2000, 1, 3))),
            (1, Between(Utc(2000, 2, 29), Utc(2000, 3, 1).AddTicks(-1))),
            (1, Between(Utc(2024, 2, 29), Utc(2024, 3, 1).AddTicks(-1))),
            (2, Between(now.AddDays(-2), now.AddMinutes(-5))),
            (4, Between(Utc(2000, 1, 1), now.AddMinutes(-5))));
    }

    /// <summary>A date alone, or a date-time in some offset; noticedAt absent, a date, or a later time in another offset.</summary>
    private static Gen<Times> TimesGen(DateTimeOffset now) =>
        Gen.Select(Instants(now), Gen.Bool, Offsets, Gen.Int[0, 2], Gen.Long[0, TimeSpan.FromDays(3).Ticks], Offsets).Select((at, dateOnly, offset, noticed, later, noticedOffset) =>
        {
            var day = DateOnly.FromDateTime(at.UtcDateTime);
            string occurred = dateOnly ? day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Format(at, offset);
            var seen = at.AddTicks(later) < now ? at.AddTicks(later) : now;
            string? noticedAt = noticed switch
            {
                0 => null,
                1 => DateOnly.FromDateTime(seen.UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                _ => Format(seen, noticedOffset),
            };
            // A date alone stays that date; a noticedAt later than the day of the takedown is valid either way.
            return new Times(occurred, noticedAt, day);
        });

    /// <summary>The forms a run must always hold, whatever is drawn beside them.</summary>
    private static IEnumerable<Times> Required(DateTimeOffset now)
    {
        var recent = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddHours(-20);
        yield return new("2026-11-20T09:30:00+05:00", "2026-11-20", new DateOnly(2026, 11, 20)); // the README's own example
        yield return new("2000-01-01", null, new DateOnly(2000, 1, 1));
        yield return new("2000-01-01T05:45:00+05:45", "2000-01-01T00:00:00Z", new DateOnly(2000, 1, 1)); // the first UTC instant allowed
        yield return new("2000-02-29T23:59:59-12:00", "2000-03-02T12:00:00+14:00", new DateOnly(2000, 3, 1));
        yield return new("2024-02-29", "2024-02-29T10:00:00+05:30", new DateOnly(2024, 2, 29));
        yield return new("2024-02-29T00:00:00+14:00", null, new DateOnly(2024, 2, 28));
        yield return new("2024-02-29T12:00:00Z", "2024-03-01", new DateOnly(2024, 2, 29));
        yield return new(Format(recent, new TimeSpan(5, 45, 0)), Format(recent.AddHours(3), TimeSpan.FromHours(-12)), DateOnly.FromDateTime(recent.UtcDateTime));
    }

    private static readonly Gen<string> Words = Gen.Char['a', 'z'].Array[3, 9].Select(w => new string(w)).Array[12, 30].Select(w => string.Join(' ', w));

    private static string Body(Sent r) => JsonSerializer.Serialize(new
    {
        externalId = r.ExternalId,
        platform = "telegram",
        account = new { handle = "@" + r.ExternalId },
        subjectType = "journalist",
        country = Country,
        action = "account_suspended",
        ground = new { category = "intellectual_property", policy = "Copyright", claimant = "Example Rights Agency", noticeText = r.Notice },
        occurredAt = r.Times.OccurredAt,
        noticedAt = r.Times.NoticedAt,
        consent = new { network = true, publicStatistics = true },
    });

    private static string CsvRow(Sent r) =>
        $"{r.ExternalId},telegram,@{r.ExternalId},journalist,{Country},account_suspended,intellectual_property,Copyright,Example Rights Agency,\"{r.Notice}\",{r.Times.OccurredAt},{r.Times.NoticedAt},true,true";

    [Fact]
    public async Task reports_with_every_form_of_time_reach_every_projection_and_subscription()
    {
        var now = DateTimeOffset.UtcNow;
        var batch = Gen.Select(TimesGen(now).Array[60, 80], Words.Array[120], Gen.Enum<Channel>().Array[120]);
        await Check.SampleAsync(batch, async (drawn, notices, channels) =>
        {
            var times = Required(now).Concat(drawn).ToList();
            string run = Guid.NewGuid().ToString("N")[..8];
            var sent = times.Select((t, i) => new Sent($"times_{run}_{i}", i < Enum.GetValues<Channel>().Length ? (Channel)i : channels[i], t, notices[i])).ToList();
            var ids = await SendAsync(sent);

            await SubscriptionProgress.WaitUntilCaughtUpAsync(system.Schema("intake"), Steps.IntakeShards, TimeSpan.FromMinutes(2));
            string correlation = system.Schema("correlation"), publishing = system.Schema("publishing");
            string inList = string.Join(", ", ids.Select(id => $"'{id}'"));
            await Eventually.Until(() => Database.ScalarAsync($"select count(*) from \"{correlation}\".mt_events where type = 'report_observed' and stream_id in ({inList})"),
                n => n == ids.Count, TimeSpan.FromMinutes(2), "every report to reach Correlation");
            await Eventually.Until(() => Database.ScalarAsync($"select count(*) from \"{publishing}\".mt_events where type = 'incident_report_added' and data ->> 'reportId' in ({inList})"),
                n => n == ids.Count, TimeSpan.FromMinutes(2), "every report to reach Publishing");
            await SubscriptionProgress.WaitUntilCaughtUpAsync(correlation, Steps.CorrelationShards, TimeSpan.FromMinutes(2));
            await SubscriptionProgress.WaitUntilCaughtUpAsync(publishing, Steps.PublishingShards, TimeSpan.FromMinutes(2));

            // Campaign detection saw every notice; each report counts once, on its day, in the analysis series and the public cells.
            Assert.Equal(ids.Count, await Database.ScalarAsync($"select count(*) from \"{correlation}\".mt_doc_noticeprofile where id in ({inList})"));
            var expected = sent.GroupBy(s => s.Times.Day).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(Sorted(expected), Sorted(await SeriesDaysAsync(now)));
            Assert.Equal(Sorted(expected), Sorted(await PublicCellDaysAsync(publishing)));
        }, iter: 1, threads: 1);
    }

    private static List<KeyValuePair<DateOnly, int>> Sorted(Dictionary<DateOnly, int> days) => days.OrderBy(d => d.Key).ToList();

    /// <summary>Sends each report its own way; returns the report ids Intake answered with.</summary>
    private async Task<IReadOnlyList<Guid>> SendAsync(IReadOnlyList<Sent> sent)
    {
        var org = await _steps.RegisterOrganisationAsync("Organisation reporting in every time zone");
        var source = await _steps.AddSourceAsync(org.OrganisationId);
        var client = system.Client(org.ApiKey);
        foreach (var r in sent.Where(r => r.Channel == Channel.Rest))
            await _steps.SubmitAsync(org, Body(r));
        foreach (var r in sent.Where(r => r.Channel == Channel.Webhook))
        {
            using var response = await _steps.SendWebhookAsync(source, Body(r));
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{r.Times}: {await response.Content.ReadAsStringAsync()}");
        }
        string ndjson = string.Join('\n', sent.Where(r => r.Channel == Channel.Ndjson).Select(Body));
        string csv = "externalId,platform,accountHandle,subjectType,country,action,groundCategory,groundPolicy,groundClaimant,groundNoticeText,occurredAt,noticedAt,consentNetwork,consentPublicStatistics\r\n"
                     + string.Join("\r\n", sent.Where(r => r.Channel == Channel.Csv).Select(CsvRow));
        await ImportAsync(client, ndjson, "application/x-ndjson", sent.Count(r => r.Channel == Channel.Ndjson));
        await ImportAsync(client, csv, "text/csv", sent.Count(r => r.Channel == Channel.Csv));

        var ids = new Dictionary<string, Guid>();
        string? cursor = null;
        do
        {
            using var page = await client.GetAsync($"/api/reports?country={Country}&limit=100{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}");
            var json = JsonDocument.Parse(await page.Content.ReadAsStringAsync()).RootElement;
            foreach (var item in json.GetProperty("items").EnumerateArray()) ids[item.GetProperty("externalId").GetString()!] = item.GetProperty("reportId").GetGuid();
            cursor = json.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        } while (cursor is not null);
        Assert.Equal(sent.Select(r => r.ExternalId).Order(), ids.Keys.Order());
        return ids.Values.ToList();
    }

    private static async Task ImportAsync(HttpClient client, string content, string type, int rows)
    {
        using var started = await client.PostAsync("/api/reports/imports", new StringContent(content, Encoding.UTF8, type));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Guid id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetGuid();
        var done = await Eventually.Until(async () => await client.GetFromJsonAsync<JsonElement>($"/api/reports/imports/{id}"),
            p => p.GetProperty("status").GetString() is "completed" or "failed", TimeSpan.FromMinutes(2), "the import to finish");
        Assert.True(done.GetProperty("accepted").GetInt64() == rows, done.ToString());
    }

    /// <summary>The analysis series of the country, per day, over every day since 2000 (read in windows the API allows).</summary>
    private async Task<Dictionary<DateOnly, int>> SeriesDaysAsync(DateTimeOffset now)
    {
        var days = new Dictionary<DateOnly, int>();
        var end = DateOnly.FromDateTime(now.UtcDateTime).AddDays(1);
        for (var from = new DateOnly(2000, 1, 1); from <= end; from = from.AddDays(3000))
        {
            var to = from.AddDays(2999) < end ? from.AddDays(2999) : end;
            using var response = await system.Client(RunningSystem.AdminKey).GetAsync($"/api/analysis/series?country={Country}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            foreach (var item in (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray())
            {
                var day = DateOnly.Parse(item.GetProperty("day").GetString()!, CultureInfo.InvariantCulture);
                days[day] = days.GetValueOrDefault(day) + item.GetProperty("count").GetInt32();
            }
        }
        return days.Where(d => d.Value != 0).ToDictionary();
    }

    /// <summary>Publishing's finest public cells of the country, per day (the public answer suppresses small cells, so they are read where they are kept).</summary>
    private static async Task<Dictionary<DateOnly, int>> PublicCellDaysAsync(string schema)
    {
        await using var connection = new Npgsql.NpgsqlConnection(TestEnvironment.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            $"select data ->> 'day', sum((data ->> 'count')::int)::int from \"{schema}\".mt_doc_patterncell where data ->> 'country' = '{Country}' group by 1 having sum((data ->> 'count')::int) <> 0", connection);
        var days = new Dictionary<DateOnly, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) days[DateOnly.Parse(reader.GetString(0), CultureInfo.InvariantCulture)] = reader.GetInt32(1);
        return days;
    }
}
