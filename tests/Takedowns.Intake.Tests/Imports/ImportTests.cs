using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Imports;

public sealed class ImportTests(IntakeHost host) : IClassFixture<IntakeHost>
{
    private const string Header = "externalId,platform,accountHandle,subjectType,country,action,groundCategory,groundNoticeText,occurredAt,audienceSize";

    public static async Task<JsonElement> ImportAsync(HttpClient client, string content, string type)
    {
        using var started = await client.PostAsync("/api/reports/imports", new StringContent(content, Encoding.UTF8, type));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Guid id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("importId").GetGuid();
        return await Eventually.Until(async () =>
        {
            using var progress = await client.GetAsync($"/api/reports/imports/{id}");
            return JsonDocument.Parse(await progress.Content.ReadAsStringAsync()).RootElement.Clone();
        }, p => p.GetProperty("status").GetString() is "completed" or "failed", TimeSpan.FromSeconds(120), "the import to finish");
    }

    private static long Count(JsonElement progress, string name) => progress.GetProperty(name).GetInt64();

    [Fact]
    public async Task a_csv_file_is_imported_row_by_row_and_resending_it_stores_nothing_twice()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        string csv = Header + "\r\n" +
                     "case-1,youtube,@old_case,journalist,KZ,account_suspended,intellectual_property,\"Notice, with a comma\",2019-03-04,1500\r\n" +
                     "case-2,telegram,@second,blogger,Kazakhstan,content_removed,spam,,2020-01-01,\r\n" +
                     "case-3,vk,@third,activist,KG,account_terminated,legal_request,,2021-05-06,lots\r\n" +
                     ",tiktok,@no_external_id,cso,UZ,demonetised,unknown,\"two\nlines\",2022-07-08,\r\n";

        var first = await ImportAsync(client, csv, "text/csv");
        Assert.Equal("completed", first.GetProperty("status").GetString());
        Assert.Equal(4, Count(first, "rowsRead"));
        Assert.Equal(2, Count(first, "accepted"));
        Assert.Equal(2, Count(first, "rejected"));
        var errors = first.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("line").GetInt64(), e.GetProperty("field").GetString())).ToArray();
        Assert.Equal([(3L, "country"), (4L, "audienceSize")], errors);

        var again = await ImportAsync(client, csv, "text/csv");
        Assert.Equal(0, Count(again, "accepted"));
        Assert.Equal(2, Count(again, "duplicates"));

        using var list = await client.GetAsync("/api/reports?from=2019-01-01&to=2019-12-31");
        var item = Assert.Single(JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("case-1", item.GetProperty("externalId").GetString());
        Assert.Equal("2019-03-04", item.GetProperty("occurredOn").GetString());
    }

    [Fact]
    public async Task ndjson_lines_are_reports_and_bad_lines_are_named_without_blocking_the_rest()
    {
        var org = await host.RegisterOrganisationAsync();
        string good = SampleReports.Body(country: "TJ", handle: "@nd_one", occurredAt: "2023-02-02");
        string ndjson = good + "\n" +
                        "{\"platform\": \n" +
                        "\n" +
                        good + "\n" +
                        SampleReports.Body(country: "TJ", handle: "@nd_two", occurredAt: "2023-02-03").TrimEnd('}') + ",\"reportId\":\"x\"}\n" +
                        SampleReports.Body(country: "TJ", handle: "@nd_three", occurredAt: "2023-02-04") + "\n";

        var progress = await ImportAsync(host.CreateClient(org.ApiKey), ndjson, "application/x-ndjson");
        Assert.Equal(2, Count(progress, "accepted"));
        Assert.Equal(1, Count(progress, "duplicates"));
        Assert.Equal(2, Count(progress, "rejected"));
        var errors = progress.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("line").GetInt64(), e.GetProperty("field").GetString())).ToArray();
        Assert.Equal([(2L, "body"), (5L, "reportId")], errors);
    }

    [Fact]
    public async Task a_csv_header_with_unknown_or_missing_columns_fails_the_import_at_line_1()
    {
        var org = await host.RegisterOrganisationAsync();
        var progress = await ImportAsync(host.CreateClient(org.ApiKey), "platform,accountHandle,colour\r\nyoutube,@a,red\r\n", "text/csv");
        Assert.Equal("failed", progress.GetProperty("status").GetString());
        var error = Assert.Single(progress.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("line").GetInt64());
        Assert.Contains("colour", error.GetProperty("message").GetString());
        Assert.Equal(0, Count(progress, "accepted"));
    }

    [Fact]
    public async Task other_file_types_are_refused_and_imports_belong_to_their_organisation()
    {
        var org = await host.RegisterOrganisationAsync();
        using var plain = await host.CreateClient(org.ApiKey).PostAsync("/api/reports/imports", new StringContent("x", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);

        using var started = await host.CreateClient(org.ApiKey).PostAsync("/api/reports/imports", new StringContent(Header + "\r\n", Encoding.UTF8, "text/csv"));
        Guid id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("importId").GetGuid();
        var other = await host.RegisterOrganisationAsync();
        using var foreign = await host.CreateClient(other.ApiKey).GetAsync($"/api/reports/imports/{id}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task a_csv_header_with_nul_in_a_column_name_fails_the_import_naming_it_escaped()
    {
        // The fuzz suite's failing input: the message quoted the name with its NUL, which PostgreSQL could not store, so the
        // import stayed running for ever, failing to record its own failure every few seconds.
        var org = await host.RegisterOrganisationAsync();
        string csv = Header.Replace("platform", "plat\u0000form") + "\r\ncase-1,youtube,@nul_header,journalist,KZ,account_suspended,spam,,2019-03-04,1\r\n";

        var progress = await ImportAsync(host.CreateClient(org.ApiKey), csv, "text/csv");

        Assert.Equal("failed", progress.GetProperty("status").GetString());
        var error = Assert.Single(progress.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("line").GetInt64());
        Assert.Contains("plat\\u0000form", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task an_ndjson_row_naming_a_field_with_nul_is_rejected_naming_it_escaped_and_the_rest_goes_on()
    {
        // The fuzz suite's failing input: the row's error named the unknown field with its NUL, which PostgreSQL could not
        // store, so the import stayed running for ever.
        var org = await host.RegisterOrganisationAsync();
        string ndjson = SampleReports.Body(handle: "@nd_nul_name").Replace("\"platform\"", "\"plat\\u0000form\":1,\"platform\"") + "\n" +
                        SampleReports.Body(handle: "@nd_after_nul_name") + "\n";

        var progress = await ImportAsync(host.CreateClient(org.ApiKey), ndjson, "application/x-ndjson");

        Assert.Equal("completed", progress.GetProperty("status").GetString());
        Assert.Equal(1, Count(progress, "accepted"));
        var error = Assert.Single(progress.GetProperty("errors").EnumerateArray());
        Assert.Equal((1L, "plat\\u0000form"), (error.GetProperty("line").GetInt64(), error.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task a_large_file_is_streamed_in_batches()
    {
        var org = await host.RegisterOrganisationAsync();
        var csv = new StringBuilder(Header).Append("\r\n");
        const int rows = 5_000;
        for (int i = 0; i < rows; i++)
            csv.Append($"bulk-{i},youtube,@bulk_{i},blogger,AZ,content_removed,community_standards,,2024-0{1 + i % 9}-1{i % 10},{i}\r\n");
        var progress = await ImportAsync(host.CreateClient(org.ApiKey), csv.ToString(), "text/csv");
        Assert.Equal(rows, Count(progress, "accepted"));
        Assert.Equal(0, Count(progress, "rejected"));
        Assert.Equal(0, await Database.ScalarAsync($"select count(*) from \"{host.Schema}\".mt_doc_importchunk"));
    }

    [Fact]
    public async Task an_import_locked_by_another_instance_is_left_to_it()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        var id = Guid.NewGuid();

        // Another instance holds the import's lock before the import is even visible.
        await using var other = new Npgsql.NpgsqlConnection(TestEnvironment.PostgresConnection);
        await other.OpenAsync();
        await using (var take = new Npgsql.NpgsqlCommand("select pg_try_advisory_lock($1)", other))
        {
            take.Parameters.AddWithValue(Intake.Imports.ImportWorker.LockKey(id));
            Assert.Equal(true, await take.ExecuteScalarAsync());
        }
        var store = host.Services.GetRequiredService<Marten.IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            byte[] file = Encoding.UTF8.GetBytes(Header + "\r\nlocked-1,youtube,@locked,blogger,KZ,account_suspended,spam,,2020-02-02,\r\n");
            session.Store(new Intake.Imports.ImportChunk(Intake.Imports.ImportChunk.IdOf(id, 0), id, 0, file));
            session.Store(new Intake.Imports.ImportJob
            {
                Id = id, OrganisationId = org.OrganisationId, Format = Intake.Imports.ImportFormat.Csv,
                Status = Intake.Imports.ImportStatus.Running, Chunks = 1, Bytes = file.Length, CreatedAt = DateTimeOffset.UtcNow,
            });
            await session.SaveChangesAsync();
        }
        host.Services.GetRequiredService<Intake.Imports.ImportSignal>().Notify();

        async Task<JsonElement> Progress() => JsonDocument.Parse(await client.GetStringAsync($"/api/reports/imports/{id}")).RootElement.Clone();
        await Task.Delay(3000); // more than a poll of the worker
        Assert.Equal("running", (await Progress()).GetProperty("status").GetString());

        await other.CloseAsync(); // the other instance goes away, and its lock with it
        var done = await Eventually.Until(Progress, p => p.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));
        Assert.Equal(1, Count(done, "accepted"));
    }
}
