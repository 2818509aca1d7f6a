using System.Net;
using System.Text;
using System.Text.Json;
using Takedowns.Testing;

namespace Takedowns.Intake.Tests.Reports;

/// <summary>
/// A report that passed validation and that PostgreSQL still refuses (here a trigger refuses the rows of marked
/// accounts, as it would refuse text it cannot store) fails alone: never the reports committed with it, never the
/// rest of its import, never a later import.
/// </summary>
public sealed class DatabaseRefusalTests(IntakeHost host) : IClassFixture<IntakeHost>, IAsyncLifetime
{
    private const string Marked = "@refused_by_the_database";

    public async ValueTask InitializeAsync() => await Database.ExecuteAsync($$"""
        create or replace function "{{host.Schema}}".refuse_marked() returns trigger language plpgsql as $fn$
        begin
          if new.data::text like '%{{Marked}}%' then
            raise exception 'refused' using errcode = '22023';
          end if;
          return new;
        end $fn$;
        drop trigger if exists refuse_marked on "{{host.Schema}}".mt_events;
        create trigger refuse_marked before insert on "{{host.Schema}}".mt_events
          for each row execute function "{{host.Schema}}".refuse_marked();
        """);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task a_refused_report_fails_alone_in_its_group_commit()
    {
        var org = await host.RegisterOrganisationAsync();
        var other = await host.RegisterOrganisationAsync();
        var requests = Enumerable.Range(0, 80).Select(i =>
        {
            var client = host.CreateClient(i % 2 == 0 ? org.ApiKey : other.ApiKey);
            return (Index: i, Task: client.SendAsync(IntakeHost.NewReport(SampleReports.Body(handle: i == 40 ? Marked : $"@group_{i}"))));
        }).ToList();
        await Task.WhenAll(requests.Select(r => r.Task));

        foreach (var (index, task) in requests)
        {
            using var response = await task;
            if (index == 40) Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            else Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        // The refused report was committed in a group with others, which were then written one by one.
        Assert.Contains("writing them one by one", host.Logs.Text);
        Assert.DoesNotContain(Marked, host.Logs.Text);
    }

    [Fact]
    public async Task an_import_with_a_refused_row_finishes_without_it_and_the_next_import_runs()
    {
        var org = await host.RegisterOrganisationAsync();
        var client = host.CreateClient(org.ApiKey);
        string ndjson = string.Join("\n",
            SampleReports.Body(handle: "@import_before_refusal"), SampleReports.Body(handle: Marked), SampleReports.Body(handle: "@import_after_refusal")) + "\n";

        var first = await Imports.ImportTests.ImportAsync(client, ndjson, "application/x-ndjson");
        Assert.Equal("completed", first.GetProperty("status").GetString());
        Assert.Equal(3, first.GetProperty("rowsRead").GetInt64());
        Assert.Equal(2, first.GetProperty("accepted").GetInt64());
        Assert.Equal(1, first.GetProperty("rejected").GetInt64());
        var error = Assert.Single(first.GetProperty("errors").EnumerateArray());
        Assert.Equal((2L, "row"), (error.GetProperty("line").GetInt64(), error.GetProperty("field").GetString()));
        Assert.Contains("22023", error.GetProperty("message").GetString());

        var second = await Imports.ImportTests.ImportAsync(client, SampleReports.Body(handle: "@next_import") + "\n", "application/x-ndjson");
        Assert.Equal("completed", second.GetProperty("status").GetString());
        Assert.Equal(1, second.GetProperty("accepted").GetInt64());

        // The organisation's reports: the two around the refused row and the next import's.
        using var list = JsonDocument.Parse(await client.GetStringAsync("/api/reports?limit=10"));
        Assert.Equal(3, list.RootElement.GetProperty("items").GetArrayLength());
        Assert.DoesNotContain(Marked, host.Logs.Text);
    }
}
